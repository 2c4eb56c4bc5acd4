import { Signal, signal } from '@angular/core';
import { apiErrorMessage } from './api-error';

/** What a page shows after an action: the outcome in words, and whether it failed. */
export interface ActionMessage {
  text: string;
  bad: boolean;
}

export interface Action {
  /** True while an action runs (controls are disabled meanwhile). */
  busy: Signal<boolean>;
  message: Signal<ActionMessage | null>;
  /** Runs `work`; on success says `done` and re-reads the page, on failure says the API's message. */
  run(work: () => Promise<unknown>, done: string): Promise<void>;
}

/** One action at a time for a page: busy flag, outcome message, re-read after success. */
export function createAction(reload: () => Promise<unknown>): Action {
  const busy = signal(false);
  const message = signal<ActionMessage | null>(null);
  return {
    busy: busy.asReadonly(),
    message: message.asReadonly(),
    async run(work, done) {
      busy.set(true);
      message.set(null);
      try {
        await work();
        message.set({ text: done, bad: false });
        await reload();
      } catch (error) {
        message.set({ text: apiErrorMessage(error), bad: true });
      } finally {
        busy.set(false);
      }
    },
  };
}
