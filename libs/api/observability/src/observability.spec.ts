import { presentsMetricsKey } from './metrics-key';
import { ScrapeCache, withinOrNull } from './scrape-cache';

describe('presentsMetricsKey', () => {
  const key = 'metrics-key-0123456789abcdef';

  it('accepts exactly "Bearer <key>" (any case of the scheme) and nothing else', () => {
    expect(presentsMetricsKey(`Bearer ${key}`, key)).toBe(true);
    expect(presentsMetricsKey(`bearer ${key}`, key)).toBe(true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      key,
      `Basic ${key}`,
      `Bearer ${key}x`,
      `Bearer ${key.slice(1)}`,
      `Bearer ${key} extra`,
      ['Bearer nope', `Bearer ${key}`],
    ]) {
      expect(presentsMetricsKey(header, key)).toBe(false);
    }
  });
});

describe('ScrapeCache', () => {
  it('shares one load among the scrapes of one period, and loads again after it', async () => {
    let now = 1000;
    let loads = 0;
    const cache = new ScrapeCache(
      async () => (loads += 1),
      2000,
      () => now,
    );
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([1, 1, 1]);
    now += 1999;
    expect(await cache.get()).toBe(1);
    now += 1;
    expect(await cache.get()).toBe(2);
    expect(loads).toBe(2);
  });
});

describe('withinOrNull', () => {
  it('gives the answer, or null (with the reason) when the work fails or does not answer in time', async () => {
    const errors: string[] = [];
    const onError = (error: Error) => errors.push(error.message);
    expect(await withinOrNull(async () => 7, 1000, onError)).toBe(7);
    expect(await withinOrNull(() => Promise.reject(new Error('database down')), 1000, onError)).toBeNull();
    expect(await withinOrNull(() => new Promise<number>(() => undefined), 20, onError)).toBeNull();
    expect(errors).toEqual(['database down', 'no answer within 20 ms']);
  });
});
