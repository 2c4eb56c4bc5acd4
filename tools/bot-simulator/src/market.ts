import { Rng } from './rng';

/**
 * The simulated market: one underlying price path per asset (a geometric random walk at 1 s
 * steps, shared by every bot of a simulation) and Polymarket-style "Up or Down" windows on it.
 * A window's Up price is the probability that the asset ends the window above where it started:
 * Φ(log-return so far / σ·√(time left)). Down is its complement, so Up + Down ≈ 1, and the book
 * of each outcome has a 1-4 cent spread (the two books mirror each other as on the CLOB).
 */
export const ASSETS = ['BTC', 'ETH', 'SOL', 'XRP'] as const;
export const WINDOWS = ['5m', '15m'] as const;
export type Asset = (typeof ASSETS)[number];
export type WindowDuration = (typeof WINDOWS)[number];
export type Outcome = 'Up' | 'Down';

export const WINDOW_SECONDS: Record<WindowDuration, number> = { '5m': 300, '15m': 900 };

/** Starting price and yearly volatility of each asset. */
export const ASSET_PARAMS: Record<Asset, { price: number; volatility: number }> = {
  BTC: { price: 97_000, volatility: 0.5 },
  ETH: { price: 3_500, volatility: 0.65 },
  SOL: { price: 240, volatility: 0.85 },
  XRP: { price: 1.4, volatility: 0.9 },
};

const SECONDS_PER_YEAR = 365 * 24 * 3600;

export interface Book {
  bid: number;
  ask: number;
}

export interface Quote {
  up: Book;
  down: Book;
  /** Probability of Up, before rounding to cents. */
  probabilityUp: number;
}

export interface WindowInfo {
  asset: Asset;
  window: WindowDuration;
  /** Unix seconds at which the window opens; also the slug's timestamp. */
  start: number;
  /** Unix seconds at which it resolves. */
  end: number;
  windowId: string;
  conditionId: string;
  tokenIdUp: string;
  tokenIdDown: string;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return 0.5 * (1 + sign * erf);
}

export function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Clamp to the tradable range of a binary outcome token (1 to 99 cents). */
export function clampPrice(value: number): number {
  return Math.min(0.99, Math.max(0.01, roundCents(value)));
}

/** Probability that the window resolves Up, given the log-return so far and the time left. */
export function probabilityUp(logReturn: number, volatility: number, secondsLeft: number): number {
  if (secondsLeft <= 0) return logReturn >= 0 ? 1 : 0;
  const sigma = volatility * Math.sqrt(secondsLeft / SECONDS_PER_YEAR);
  return normalCdf(logReturn / sigma);
}

/**
 * Both books of a window from the Up probability and a spread in cents (1-4): Up bid/ask around
 * the probability, Down mirroring it (Down bid = 1 − Up ask, Down ask = 1 − Up bid).
 */
export function quoteFor(probability: number, spreadCents: number): Quote {
  const spread = Math.min(4, Math.max(1, Math.round(spreadCents))) / 100;
  const p = Math.min(0.985, Math.max(0.015, probability));
  let upBid = Math.floor((p - spread / 2) * 100 + 1e-9) / 100;
  upBid = Math.min(0.98, Math.max(0.01, upBid));
  let upAsk = roundCents(upBid + spread);
  if (upAsk > 0.99) {
    upAsk = 0.99;
    upBid = roundCents(Math.max(0.01, upAsk - spread));
  }
  return {
    up: { bid: upBid, ask: upAsk },
    down: { bid: roundCents(1 - upAsk), ask: roundCents(1 - upBid) },
    probabilityUp: probability,
  };
}

export function windowId(asset: Asset, window: WindowDuration, start: number): string {
  return `${asset.toLowerCase()}-updown-${window}-${start}`;
}

/** The shared market world of one simulation. Time is virtual unix seconds. */
export class MarketWorld {
  private readonly paths = new Map<Asset, { t0: number; prices: number[]; rng: Rng }>();
  private readonly windows = new Map<string, WindowInfo>();
  private readonly seedRng: Rng;
  private readonly idSalt: number;

  constructor(
    seed: number,
    private readonly origin: number,
  ) {
    this.seedRng = new Rng(seed);
    this.idSalt = this.seedRng.int(0, 2 ** 31);
    for (const asset of ASSETS) {
      // Start each path an hour before the origin so windows that opened earlier have a start price.
      const rng = this.seedRng.fork(`path-${asset}`);
      const t0 = Math.floor(origin) - 3600;
      this.paths.set(asset, { t0, prices: [ASSET_PARAMS[asset].price * (0.97 + 0.06 * rng.next())], rng });
    }
  }

  /** Underlying price of an asset at a virtual time (1 s resolution; the path grows as needed). */
  price(asset: Asset, at: number): number {
    const path = this.paths.get(asset);
    if (!path) throw new Error(`unknown asset ${asset}`);
    const index = Math.max(0, Math.floor(at) - path.t0);
    const sigma = ASSET_PARAMS[asset].volatility * Math.sqrt(1 / SECONDS_PER_YEAR);
    while (path.prices.length <= index) {
      const last = path.prices[path.prices.length - 1];
      path.prices.push(last * Math.exp(sigma * path.rng.normal() - (sigma * sigma) / 2));
    }
    return path.prices[index];
  }

  /** The window of an asset and duration that is open at a virtual time. */
  windowAt(asset: Asset, window: WindowDuration, at: number): WindowInfo {
    const length = WINDOW_SECONDS[window];
    const start = Math.floor(at / length) * length;
    return this.window(asset, window, start);
  }

  window(asset: Asset, window: WindowDuration, start: number): WindowInfo {
    const id = windowId(asset, window, start);
    let info = this.windows.get(id);
    if (!info) {
      const rng = new Rng(hashString(`${id}:${this.idSalt}`));
      info = {
        asset,
        window,
        start,
        end: start + WINDOW_SECONDS[window],
        windowId: id,
        conditionId: `0x${rng.hex(64)}`,
        tokenIdUp: rng.digits(77),
        tokenIdDown: rng.digits(77),
      };
      this.windows.set(id, info);
      if (this.windows.size > 5000) this.windows.delete(this.windows.keys().next().value as string);
    }
    return info;
  }

  /** Both books of a window at a virtual time. The spread wanders between 1 and 4 cents. */
  quote(info: WindowInfo, at: number): Quote {
    // Before a window opens nothing is known about its outcome: both sides trade around 50 cents.
    if (at < info.start) return quoteFor(0.5, 1 + (hashString(info.windowId) % 2));
    const startPrice = this.price(info.asset, info.start);
    const now = this.price(info.asset, Math.min(at, info.end));
    const p = probabilityUp(Math.log(now / startPrice), ASSET_PARAMS[info.asset].volatility, info.end - at);
    const phase = (hashString(info.windowId) % 97) + Math.floor(at / 20);
    const spreadCents = 1 + (phase % 4);
    return quoteFor(p, spreadCents);
  }

  /** The resolved outcome of a window (undefined while it is open). */
  resolution(info: WindowInfo, at: number): Outcome | undefined {
    if (at < info.end) return undefined;
    return this.price(info.asset, info.end) >= this.price(info.asset, info.start) ? 'Up' : 'Down';
  }
}

export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
