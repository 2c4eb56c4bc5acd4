import { Book, Outcome, WindowInfo } from './market';

/** Pure pieces of the trading model (unit-tested): fills, hedging tiers, P&L. */

export interface FillInput {
  /** Our resting buy price. */
  price: number;
  /** The outcome's book now. */
  book: Book;
  /** Virtual seconds since the last check. */
  dtSeconds: number;
  /** Config simFillRate (0-1): about the share of resting quotes that fill within a minute. */
  fillRate: number;
}

/**
 * Chance that a resting buy fills during `dtSeconds`: certain when the ask came down to our price
 * (the market crossed us); otherwise a Poisson arrival of sellers whose rate falls when the book
 * moved up and away from us.
 */
export function fillProbability({ price, book, dtSeconds, fillRate }: FillInput): number {
  if (book.ask <= price + 1e-9) return 1;
  const distance = Math.max(0, book.bid - price);
  const rate = (-Math.log(1 - Math.min(fillRate, 0.99)) / 60) * Math.exp(-distance / 0.02);
  return 1 - Math.exp(-rate * Math.max(0, dtSeconds));
}

/** Where the market maker quotes: at the bid, one cent better when the spread is 3 cents or more. */
export function quotePrice(book: Book): number {
  const spread = Math.round((book.ask - book.bid) * 100);
  return Math.round((spread >= 3 ? book.bid + 0.01 : book.bid) * 100) / 100;
}

export interface HedgeTierConfig {
  hedgeTiers: { pct: number; cost: number }[];
  hedgeT4Enabled: boolean;
  hedgeTier4Pct: number;
  hedgeTier4MaxLoss: number;
}

/**
 * Whether to complete a one-sided position by buying the other outcome at its ask, and under which
 * tier. Tier N applies once the share of the window left is at most its pct and accepts a pair
 * cost (filled price + other ask) up to its cost; tier 4 (late, half of its pct) accepts a loss of
 * up to hedgeTier4MaxLoss per share. Returns 0 when no tier allows it.
 */
export function hedgeTier(pairCost: number, remainingPct: number, config: HedgeTierConfig): number {
  for (let i = 0; i < config.hedgeTiers.length; i++) {
    const tier = config.hedgeTiers[i];
    if (remainingPct <= tier.pct && pairCost <= tier.cost + 1e-9) return i + 1;
  }
  if (
    config.hedgeT4Enabled &&
    remainingPct <= config.hedgeTier4Pct / 2 &&
    pairCost - 1 <= config.hedgeTier4MaxLoss + 1e-9
  ) {
    return 4;
  }
  return 0;
}

/** P&L of a filled buy of `outcome` once the window resolved. */
export function positionPnl(
  outcome: Outcome,
  resolved: Outcome,
  fillPrice: number,
  fillSize: number,
): number {
  return outcome === resolved ? fillSize * (1 - fillPrice) : -fillSize * fillPrice;
}

/** Share of a window still to run, in percent (100 at open, 0 at resolution). */
export function remainingPct(info: WindowInfo, at: number): number {
  const length = info.end - info.start;
  return Math.max(0, Math.min(100, ((info.end - at) / length) * 100));
}
