import { DestroyRef, Signal, inject, signal } from '@angular/core';

/** A signal with the current time, ticking every `ms` while the calling component lives. */
export function injectNow(ms = 1000): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => now.set(Date.now()), ms);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}
