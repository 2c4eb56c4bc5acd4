import { HttpClient, HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { toApiProblem } from './api-error';

const STORAGE_KEY = 'polymaker.adminKey';

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** The admin API key, kept for this browser tab's session only (sessionStorage). */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly http = inject(HttpClient);
  private readonly keySignal = signal<string | null>(storage()?.getItem(STORAGE_KEY) ?? null);
  /** Why the last session ended, shown on the sign-in page. */
  readonly notice = signal<string | null>(null);
  readonly key = this.keySignal.asReadonly();
  readonly signedIn = computed(() => this.keySignal() !== null);

  /** Checks the key against the API and keeps it when it works; resolves to an error message or null. */
  async signIn(rawKey: string): Promise<string | null> {
    const key = rawKey.trim();
    if (!key) return 'Enter an admin API key.';
    try {
      await firstValueFrom(
        this.http.get('/api/v1/configs/active', { headers: new HttpHeaders({ 'X-Api-Key': key }) }),
      );
    } catch (error) {
      if (error instanceof HttpErrorResponse && error.status === 404) {
        // No active config yet still proves the key works.
      } else {
        return toApiProblem(error).message;
      }
    }
    storage()?.setItem(STORAGE_KEY, key);
    this.notice.set(null);
    this.keySignal.set(key);
    return null;
  }

  signOut(notice: string | null = null): void {
    storage()?.removeItem(STORAGE_KEY);
    this.notice.set(notice);
    this.keySignal.set(null);
  }
}
