import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes what arrives in one turn as one statement, answering each caller with its own result', async () => {
    const statements: number[][] = [];
    const group = new GroupCommit<number, string>(
      async (items) => {
        statements.push(items);
        return items.map((n) => `#${n}`);
      },
      { maxBatch: 100, maxInFlight: 2 },
    );
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => group.submit(i)));
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => `#${i}`));
    expect(statements).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it('sends a lone item at once and carries what queued behind a statement in flight in the next', async () => {
    const statements: number[][] = [];
    let open: (() => void) | null = null;
    const group = new GroupCommit<number, number>(
      async (items) => {
        statements.push(items);
        if (items[0] === 0) await new Promise<void>((done) => (open = done));
        return items;
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const first = group.submit(0);
    await new Promise((done) => setImmediate(done));
    expect(statements).toEqual([[0]]);
    const later = [1, 2, 3].map((n) => group.submit(n));
    await new Promise((done) => setImmediate(done));
    expect(statements).toHaveLength(1); // waiting behind the one in flight
    (open as unknown as () => void)();
    expect(await Promise.all([first, ...later])).toEqual([0, 1, 2, 3]);
    expect(statements).toEqual([[0], [1, 2, 3]]);
  });

  it('splits at maxBatch', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 4, maxInFlight: 8 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => group.submit(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('fails only the bad item of a group: the others are retried on their own and succeed', async () => {
    const group = new GroupCommit<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('value 13 violates a constraint');
        return items.map((n) => n * 2);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([11, 12, 13, 14].map((n) => group.submit(n)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      22,
      24,
      'value 13 violates a constraint',
      28,
    ]);
  });

  it('fails the whole group at once when the database is unavailable (no retry storm)', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      async () => {
        calls += 1;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
  });
});
