import { Signal, computed, signal } from '@angular/core';
import { apiErrorMessage } from './api-error';

export interface Loader<T> {
  /** The last value loaded; kept while a reload runs so the page does not flicker. */
  readonly value: Signal<T | undefined>;
  readonly loading: Signal<boolean>;
  /** True before the first answer (success or error). */
  readonly pending: Signal<boolean>;
  readonly error: Signal<string | null>;
  reload(): Promise<void>;
  set(value: T): void;
}

/** A value fetched from the API with loading and error states; later calls win over earlier ones. */
export function createLoader<T>(fetch: () => Promise<T>, options: { immediate?: boolean } = {}): Loader<T> {
  const value = signal<T | undefined>(undefined);
  const loading = signal(false);
  const answered = signal(false);
  const error = signal<string | null>(null);
  let sequence = 0;
  const reload = async () => {
    const mine = ++sequence;
    loading.set(true);
    try {
      const result = await fetch();
      if (mine !== sequence) return;
      value.set(result);
      error.set(null);
    } catch (e) {
      if (mine !== sequence) return;
      error.set(apiErrorMessage(e));
    } finally {
      if (mine === sequence) {
        loading.set(false);
        answered.set(true);
      }
    }
  };
  if (options.immediate !== false) void reload();
  return {
    value: value.asReadonly(),
    loading: loading.asReadonly(),
    pending: computed(() => !answered()),
    error: error.asReadonly(),
    reload,
    set: (v: T) => value.set(v),
  };
}
