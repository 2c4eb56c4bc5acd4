import { ASSETS, Asset, WINDOWS, WindowDuration } from './market';

/** The config keys the simulated bot acts on, read from GET /config like apply_cc_config does. */
export interface BotConfig {
  id: number | null;
  mode: 'dry_run' | 'live';
  targetAssets: Asset[];
  windowDurations: WindowDuration[];
  mmOrderSize: number;
  maxConcurrentWindows: number;
  pauseOrders: boolean;
  simFillRate: number;
  /**
   * Simulator only (not a bot key): a fill this much cheaper than the quote (0-0.2), so that one config
   * version can be made really better than another for an experiment in the demo.
   */
  simEdge: number;
  reserveRatio: number;
  hedgeEnabled: boolean;
  hedgeTiers: { pct: number; cost: number }[];
  hedgeT4Enabled: boolean;
  hedgeTier4Pct: number;
  hedgeTier4MaxLoss: number;
}

export const DEFAULT_CONFIG: BotConfig = {
  id: null,
  mode: 'dry_run',
  targetAssets: [...ASSETS],
  windowDurations: [...WINDOWS],
  mmOrderSize: 10,
  maxConcurrentWindows: 4,
  pauseOrders: false,
  simFillRate: 0.5,
  simEdge: 0,
  reserveRatio: 0.2,
  hedgeEnabled: true,
  hedgeTiers: [
    { pct: 67, cost: 1.03 },
    { pct: 50, cost: 1.1 },
    { pct: 33, cost: 1.2 },
  ],
  hedgeT4Enabled: true,
  hedgeTier4Pct: 33,
  hedgeTier4MaxLoss: 0.3,
};

function list(value: unknown): string[] | null {
  if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter(Boolean);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  return null;
}

function num(value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  const parsed =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(parsed) ? Math.min(max, Math.max(min, parsed)) : fallback;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase());
  if (typeof value === 'number') return value !== 0;
  return fallback;
}

/** Missing or unusable keys fall back to the bot's defaults, as in the real bot. */
export function readConfig(
  raw: Record<string, unknown> | null | undefined,
  fallback = DEFAULT_CONFIG,
): BotConfig {
  if (!raw) return fallback;
  const assets = (list(raw['targetAssets']) ?? fallback.targetAssets)
    .map((asset) => asset.toUpperCase())
    .filter((asset): asset is Asset => (ASSETS as readonly string[]).includes(asset));
  const windows = (list(raw['windowDurations']) ?? fallback.windowDurations)
    .map((window) => window.toLowerCase())
    .filter((window): window is WindowDuration => (WINDOWS as readonly string[]).includes(window));
  const mode = raw['mode'] === 'live' ? 'live' : 'dry_run';
  const id = typeof raw['id'] === 'number' ? raw['id'] : num(raw['id'], NaN);
  return {
    id: Number.isInteger(id) ? id : fallback.id,
    mode,
    targetAssets: assets.length > 0 ? assets : fallback.targetAssets,
    windowDurations: windows.length > 0 ? windows : fallback.windowDurations,
    mmOrderSize: num(raw['mmOrderSize'], fallback.mmOrderSize, 1, 10_000),
    maxConcurrentWindows: Math.round(num(raw['maxConcurrentWindows'], fallback.maxConcurrentWindows, 1, 32)),
    pauseOrders: bool(raw['pauseOrders'], false),
    simFillRate: num(raw['simFillRate'], fallback.simFillRate, 0.01, 1),
    simEdge: num(raw['simEdge'], 0, 0, 0.2),
    reserveRatio: num(raw['reserveRatio'], fallback.reserveRatio, 0, 0.95),
    hedgeEnabled: bool(raw['hedgeEnabled'], fallback.hedgeEnabled),
    hedgeTiers: [1, 2, 3].map((tier, i) => ({
      pct: num(raw[`hedgeTier${tier}Pct`], fallback.hedgeTiers[i].pct, 0, 100),
      cost: num(raw[`hedgeTier${tier}Cost`], fallback.hedgeTiers[i].cost, 0.5, 2),
    })),
    hedgeT4Enabled: bool(raw['hedgeT4Enabled'], fallback.hedgeT4Enabled),
    hedgeTier4Pct: num(raw['hedgeTier4Pct'], fallback.hedgeTier4Pct, 0, 100),
    hedgeTier4MaxLoss: num(raw['hedgeTier4MaxLoss'], fallback.hedgeTier4MaxLoss, 0, 1),
  };
}
