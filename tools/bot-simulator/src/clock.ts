/**
 * Virtual time: `speed` virtual seconds pass per real second. Cadences are virtual, so `--speed 60`
 * divides every real interval by 60. Sleeping wakes early when the simulation is asked to stop.
 */
export class Clock {
  private readonly realStart = performance.now();
  private readonly wakers = new Set<() => void>();
  stopped = false;

  constructor(
    readonly speed: number,
    /** Virtual unix seconds at real start. */
    readonly origin: number = Date.now() / 1000,
  ) {
    if (!(speed > 0)) throw new Error('speed must be > 0');
  }

  /** Virtual unix seconds now. */
  now(): number {
    return this.origin + ((performance.now() - this.realStart) / 1000) * this.speed;
  }

  /** Real seconds since start. */
  realElapsed(): number {
    return (performance.now() - this.realStart) / 1000;
  }

  sleepVirtual(seconds: number): Promise<void> {
    return this.sleepReal((Math.max(0, seconds) / this.speed) * 1000);
  }

  sleepUntil(virtualTime: number): Promise<void> {
    return this.sleepVirtual(virtualTime - this.now());
  }

  sleepReal(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.wakers.add(wake);
    });
  }

  /** Ends every sleep now; later sleeps return at once. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
  }
}
