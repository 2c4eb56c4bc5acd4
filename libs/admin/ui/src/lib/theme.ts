import { Injectable, computed, signal } from '@angular/core';

export type ThemeChoice = 'light' | 'dark' | 'system';
const STORAGE_KEY = 'polymaker.theme';

/** Light and dark themes (data-theme on <html>), following the system until the person picks one. */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly media =
    typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  private readonly systemDark = signal(this.media?.matches ?? false);
  readonly choice = signal<ThemeChoice>(
    (typeof localStorage !== 'undefined' && (localStorage.getItem(STORAGE_KEY) as ThemeChoice)) || 'system',
  );
  readonly effective = computed<'light' | 'dark'>(() =>
    this.choice() === 'system' ? (this.systemDark() ? 'dark' : 'light') : (this.choice() as 'light' | 'dark'),
  );

  constructor() {
    this.media?.addEventListener?.('change', (e) => {
      this.systemDark.set(e.matches);
      this.apply();
    });
    this.apply();
  }

  toggle(): void {
    this.set(this.effective() === 'dark' ? 'light' : 'dark');
  }

  set(choice: ThemeChoice): void {
    this.choice.set(choice);
    try {
      localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // private mode
    }
    this.apply();
  }

  private apply(): void {
    if (typeof document !== 'undefined') document.documentElement.dataset['theme'] = this.effective();
  }
}
