import { HttpClient, HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { toApiProblem } from './api-error';
import { Me, Permission } from './models';

const STORAGE_KEY = 'polymaker.adminKey';

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** What the sign-in page says when a bot key is entered: /me answers 403 only to bot keys. */
export const BOT_KEY_MESSAGE =
  'This is a bot key: it only works for the bots’ API (/api/bot). Sign in with an admin, operator or viewer key (ADMIN_API_KEY, or one made under Settings).';

/**
 * The signed-in key, kept for this browser tab's session only (sessionStorage), and what it may do
 * (GET /api/v1/me): the app hides every control whose permission is missing.
 */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly http = inject(HttpClient);
  private readonly keySignal = signal<string | null>(storage()?.getItem(STORAGE_KEY) ?? null);
  private readonly meSignal = signal<Me | null>(null);
  private loadingMe: Promise<string | null> | null = null;
  /** Why the last session ended, shown on the sign-in page. */
  readonly notice = signal<string | null>(null);
  readonly key = this.keySignal.asReadonly();
  readonly signedIn = computed(() => this.keySignal() !== null);
  /** The signed-in key's id, name, scope and permissions (null until loaded). */
  readonly me = this.meSignal.asReadonly();
  private readonly permissions = computed(() => new Set(this.meSignal()?.permissions ?? []));

  /** True when the signed-in key may do this (false until /me has answered: hidden rather than refused). */
  can(permission: Permission): boolean {
    return this.permissions().has(permission);
  }

  /** Checks the key against the API and keeps it when it works; resolves to an error message or null. */
  async signIn(rawKey: string): Promise<string | null> {
    const key = rawKey.trim();
    if (!key) return 'Enter an admin API key.';
    const problem = await this.fetchMe(key);
    if (problem) return problem;
    storage()?.setItem(STORAGE_KEY, key);
    this.notice.set(null);
    this.keySignal.set(key);
    return null;
  }

  /** Loads /me for the kept key (after a reload of the tab); resolves to an error message or null. */
  ensureMe(): Promise<string | null> {
    const key = this.keySignal();
    if (!key) return Promise.resolve('Not signed in.');
    if (this.meSignal()) return Promise.resolve(null);
    this.loadingMe ??= this.fetchMe(key).finally(() => (this.loadingMe = null));
    return this.loadingMe;
  }

  private async fetchMe(key: string): Promise<string | null> {
    try {
      const me = await firstValueFrom(
        this.http.get<Me>('/api/v1/me', { headers: new HttpHeaders({ 'X-Api-Key': key }) }),
      );
      if (me.scope === 'bot') return BOT_KEY_MESSAGE;
      this.meSignal.set(me);
      return null;
    } catch (error) {
      if (error instanceof HttpErrorResponse && error.status === 403) return BOT_KEY_MESSAGE;
      return toApiProblem(error).message;
    }
  }

  signOut(notice: string | null = null): void {
    storage()?.removeItem(STORAGE_KEY);
    this.notice.set(notice);
    this.meSignal.set(null);
    this.keySignal.set(null);
  }
}
