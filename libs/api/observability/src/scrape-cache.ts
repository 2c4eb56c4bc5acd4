/**
 * One shared, bounded read for many scrapers: the first caller starts `load`, every caller within
 * `maxAgeMs` of that start gets the same promise, so ten Prometheus servers scraping at once cost the
 * database one round of queries per period. `load` never waits past `timeoutMs`: a part that has not
 * answered by then is given up (its result is null) and the scrape goes on without it.
 */
export class ScrapeCache<T> {
  private current: { at: number; value: Promise<T> } | null = null;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const at = this.now();
    if (this.current && at - this.current.at < this.maxAgeMs) return this.current.value;
    const value = this.load();
    this.current = { at, value };
    return value;
  }
}

/** `work`'s result, or null when it fails or takes longer than `timeoutMs` (its error is passed to `onError`). */
export async function withinOrNull<T>(
  work: () => Promise<T>,
  timeoutMs: number,
  onError: (error: Error) => void,
): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      onError(new Error(`no answer within ${timeoutMs} ms`));
      resolve(null);
    }, timeoutMs);
    timer.unref();
  });
  const attempt = work().then(
    (value) => value,
    (error: Error) => {
      onError(error);
      return null;
    },
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
