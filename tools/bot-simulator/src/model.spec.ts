import { MarketWorld, normalCdf, probabilityUp, quoteFor, WINDOW_SECONDS } from './market';
import { fillProbability, hedgeTier, positionPnl, quotePrice, remainingPct } from './model';
import { DEFAULT_CONFIG } from './config';
import { Rng } from './rng';

describe('price model', () => {
  it('normal CDF is accurate', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    expect(normalCdf(-1.96)).toBeCloseTo(0.025, 3);
  });

  it('Up probability is 50% at the open, follows the move, and is certain at resolution', () => {
    expect(probabilityUp(0, 0.5, 300)).toBeCloseTo(0.5, 6);
    expect(probabilityUp(0.002, 0.5, 300)).toBeGreaterThan(0.5);
    expect(probabilityUp(-0.002, 0.5, 300)).toBeLessThan(0.5);
    // The same move matters more with less time left.
    expect(probabilityUp(0.001, 0.5, 30)).toBeGreaterThan(probabilityUp(0.001, 0.5, 600));
    expect(probabilityUp(0.001, 0.5, 0)).toBe(1);
    expect(probabilityUp(-0.001, 0.5, 0)).toBe(0);
  });

  it('quotes cent prices with Up + Down ≈ 1 and a 1-4 cent spread on both books', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 2000; i++) {
      const spread = rng.int(1, 4);
      const q = quoteFor(rng.next(), spread);
      for (const book of [q.up, q.down]) {
        expect(book.bid).toBeGreaterThanOrEqual(0.01);
        expect(book.ask).toBeLessThanOrEqual(0.99);
        expect(Math.round(book.bid * 100)).toBeCloseTo(book.bid * 100, 6);
        const cents = Math.round((book.ask - book.bid) * 100);
        expect(cents).toBeGreaterThanOrEqual(1);
        expect(cents).toBeLessThanOrEqual(4);
      }
      // The two books mirror each other: Up ask + Down bid = 1 and Up bid + Down ask = 1.
      expect(q.up.ask + q.down.bid).toBeCloseTo(1, 9);
      expect(q.up.bid + q.down.ask).toBeCloseTo(1, 9);
      const mids = (q.up.bid + q.up.ask) / 2 + (q.down.bid + q.down.ask) / 2;
      expect(mids).toBeCloseTo(1, 9);
    }
  });

  it('names windows like Polymarket slugs with long decimal token ids', () => {
    const world = new MarketWorld(42, 1_764_000_123);
    const info = world.windowAt('BTC', '15m', 1_764_000_123);
    expect(info.windowId).toBe('btc-updown-15m-1764000000');
    expect(info.end - info.start).toBe(WINDOW_SECONDS['15m']);
    expect(info.tokenIdUp).toMatch(/^[1-9]\d{76}$/);
    expect(info.tokenIdDown).toMatch(/^[1-9]\d{76}$/);
    expect(info.tokenIdUp).not.toBe(info.tokenIdDown);
    expect(info.conditionId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(world.windowAt('ETH', '5m', 1_764_000_123).windowId).toBe('eth-updown-5m-1764000000');
  });

  it('is deterministic for a seed, whatever order things are asked in', () => {
    const a = new MarketWorld(1, 1_764_000_000);
    const b = new MarketWorld(1, 1_764_000_000);
    b.windowAt('SOL', '5m', 1_764_000_400);
    expect(a.price('BTC', 1_764_000_500)).toBe(b.price('BTC', 1_764_000_500));
    expect(a.windowAt('BTC', '5m', 1_764_000_100)).toEqual(b.windowAt('BTC', '5m', 1_764_000_100));
    expect(new MarketWorld(2, 1_764_000_000).price('BTC', 1_764_000_500)).not.toBe(
      a.price('BTC', 1_764_000_500),
    );
  });

  it('keeps prices plausible and resolves a window by where the asset ended', () => {
    const world = new MarketWorld(3, 1_764_000_000);
    const info = world.windowAt('XRP', '5m', 1_764_000_000);
    const start = world.price('XRP', info.start);
    expect(start).toBeGreaterThan(1.3);
    expect(start).toBeLessThan(1.5);
    expect(world.resolution(info, info.end - 1)).toBeUndefined();
    const expected = world.price('XRP', info.end) >= start ? 'Up' : 'Down';
    expect(world.resolution(info, info.end + 5)).toBe(expected);
    const q = world.quote(info, info.start + 10);
    expect(q.up.bid + q.down.ask).toBeCloseTo(1, 9);
  });
});

describe('fill model', () => {
  const book = { bid: 0.5, ask: 0.52 };

  it('fills for sure when the ask comes down to the quote', () => {
    expect(fillProbability({ price: 0.52, book, dtSeconds: 1, fillRate: 0.5 })).toBe(1);
  });

  it('fills resting quotes at a rate set by simFillRate, less when the book moved away', () => {
    const atBid = fillProbability({ price: 0.5, book, dtSeconds: 60, fillRate: 0.5 });
    expect(atBid).toBeCloseTo(0.5, 6);
    const below = fillProbability({ price: 0.46, book, dtSeconds: 60, fillRate: 0.5 });
    expect(below).toBeLessThan(atBid / 3);
    expect(fillProbability({ price: 0.5, book, dtSeconds: 0, fillRate: 0.5 })).toBe(0);
    expect(fillProbability({ price: 0.5, book, dtSeconds: 60, fillRate: 0.9 })).toBeGreaterThan(atBid);
  });

  it('quotes at the bid, a cent inside when the spread allows', () => {
    expect(quotePrice({ bid: 0.5, ask: 0.51 })).toBe(0.5);
    expect(quotePrice({ bid: 0.5, ask: 0.52 })).toBe(0.5);
    expect(quotePrice({ bid: 0.5, ask: 0.53 })).toBe(0.51);
  });

  it('hedges one-sided fills by tier as the window runs out', () => {
    expect(hedgeTier(1.02, 80, DEFAULT_CONFIG)).toBe(0); // too early for any tier
    expect(hedgeTier(1.02, 60, DEFAULT_CONFIG)).toBe(1);
    expect(hedgeTier(1.08, 60, DEFAULT_CONFIG)).toBe(0);
    expect(hedgeTier(1.08, 45, DEFAULT_CONFIG)).toBe(2);
    expect(hedgeTier(1.15, 30, DEFAULT_CONFIG)).toBe(3);
    expect(hedgeTier(1.25, 30, DEFAULT_CONFIG)).toBe(0);
    expect(hedgeTier(1.25, 10, DEFAULT_CONFIG)).toBe(4);
    expect(hedgeTier(1.25, 10, { ...DEFAULT_CONFIG, hedgeT4Enabled: false })).toBe(0);
    expect(hedgeTier(1.4, 10, DEFAULT_CONFIG)).toBe(0);
  });

  it('computes P&L of a resolved position', () => {
    expect(positionPnl('Up', 'Up', 0.4, 10)).toBeCloseTo(6, 9);
    expect(positionPnl('Up', 'Down', 0.4, 10)).toBeCloseTo(-4, 9);
    // A pair bought under 1 earns the difference whichever way it resolves.
    expect(positionPnl('Up', 'Down', 0.48, 10) + positionPnl('Down', 'Down', 0.5, 10)).toBeCloseTo(0.2, 9);
  });

  it('measures the share of a window left', () => {
    const info = new MarketWorld(1, 1_764_000_000).windowAt('BTC', '5m', 1_764_000_000);
    expect(remainingPct(info, info.start)).toBe(100);
    expect(remainingPct(info, info.start + 150)).toBe(50);
    expect(remainingPct(info, info.end + 10)).toBe(0);
  });
});
