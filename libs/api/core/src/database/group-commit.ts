import { isDatabaseUnavailable } from '../errors/database-unavailable';

export interface GroupCommitOptions {
  /** At most this many items per statement. */
  maxBatch: number;
  /** At most this many statements in flight; what arrives meanwhile waits and goes in the next one. */
  maxInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted by concurrent requests in the same turn of the event loop (or while
 * the previous statements are still in flight) are written by one statement. A lone item goes at
 * once (no added wait: the flush is the next `setImmediate`); under load each statement carries what
 * queued behind the one in flight, so the statement rate stays flat while the item rate grows.
 *
 * `write` gets the items in submission order and answers one result per item, in that order. When a
 * statement of several items fails for anything but an unavailable database, each item is retried
 * on its own, so one bad item fails alone.
 */
export class GroupCommit<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
        void this.flush(this.queue.splice(0, this.options.maxBatch));
      }
    });
  }

  private async flush(batch: Pending<I, O>[]): Promise<void> {
    this.inFlight += 1;
    try {
      await this.settle(batch);
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }

  private async settle(batch: Pending<I, O>[]): Promise<void> {
    let results: O[];
    try {
      results = await this.write(batch.map((pending) => pending.item));
      if (results.length !== batch.length)
        throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      // One of them may be at fault: each on its own, in order (two items may touch the same row), so the others still succeed.
      for (const pending of batch) await this.settle([pending]);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(results[i]));
  }
}
