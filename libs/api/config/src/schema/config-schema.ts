/**
 * The bot config schema: every key the bot's `apply_cc_config` reads (docs/bot-api.md),
 * with its type, bounds, default and a one-line description. A default of `null` means "not set":
 * the key is left out of GET /api/bot/config and the bot uses its own built-in default.
 * Keys outside the schema are allowed and passed to the bot unchanged.
 */
export type ConfigKeyType = 'boolean' | 'integer' | 'number' | 'enum' | 'string-list' | 'hour-windows';

export type ConfigValue = boolean | number | string | string[] | number[][] | null;

export interface ConfigKeySpec {
  key: string;
  type: ConfigKeyType;
  group: string;
  description: string;
  default: ConfigValue;
  min?: number;
  max?: number;
  unit?: string;
  options?: string[];
}

const money = (key: string, group: string, description: string): ConfigKeySpec => ({
  key,
  type: 'number',
  group,
  description,
  default: null,
  min: 0,
  max: 10_000_000,
  unit: 'USDC',
});

const ratio = (
  key: string,
  group: string,
  description: string,
  def: number | null,
  max = 1,
): ConfigKeySpec => ({
  key,
  type: 'number',
  group,
  description,
  default: def,
  min: 0,
  max,
});

const flag = (key: string, group: string, description: string, def: boolean | null): ConfigKeySpec => ({
  key,
  type: 'boolean',
  group,
  description,
  default: def,
});

const whole = (
  key: string,
  group: string,
  description: string,
  def: number | null,
  min: number,
  max: number,
  unit?: string,
): ConfigKeySpec => ({
  key,
  type: 'integer',
  group,
  description,
  default: def,
  min,
  max,
  ...(unit ? { unit } : {}),
});

export const CONFIG_SCHEMA: readonly ConfigKeySpec[] = [
  // General
  {
    key: 'mode',
    type: 'enum',
    group: 'General',
    description: 'dry_run simulates orders; live places real orders',
    default: 'dry_run',
    options: ['dry_run', 'live'],
  },
  flag(
    'pauseOrders',
    'General',
    'Emergency brake: a running bot stops placing orders on its next config poll',
    false,
  ),
  {
    key: 'targetAssets',
    type: 'string-list',
    group: 'General',
    description: 'Assets whose Up/Down markets the bot trades',
    default: ['BTC', 'ETH', 'SOL', 'XRP'],
    options: ['BTC', 'ETH', 'SOL', 'XRP'],
  },
  {
    key: 'windowDurations',
    type: 'string-list',
    group: 'General',
    description: 'Market window lengths to trade',
    default: ['5m', '15m'],
    options: ['5m', '15m'],
  },
  whole('maxConcurrentWindows', 'General', 'Most market windows traded at the same time', 4, 1, 100),
  whole(
    'tradeAdvanceWindows',
    'General',
    'How many upcoming windows ahead of the current one the bot may trade',
    null,
    0,
    20,
  ),
  {
    key: 'tradingBlackoutWindows',
    type: 'hour-windows',
    group: 'General',
    description: 'UTC hour ranges [start, end) in which the bot places no orders',
    default: null,
  },
  ratio('simFillRate', 'General', 'Fill probability used to simulate fills in dry_run mode', null),
  // Budget and risk
  money('kellyBankroll', 'Budget & risk', 'Bankroll used for Kelly position sizing'),
  money('sessionBudget', 'Budget & risk', 'Most capital a run may deploy in total'),
  money('budgetPerMarket', 'Budget & risk', 'Most capital deployed in one market window'),
  ratio('maxLossPct', 'Budget & risk', 'Stop trading when the run loses this share of its bankroll', 0.2),
  whole(
    'lossCooldownSec',
    'Budget & risk',
    'Pause after a losing window before trading again',
    null,
    0,
    86_400,
    's',
  ),
  ratio('reserveRatio', 'Budget & risk', 'Share of the wallet kept in reserve, never deployed', null),
  whole(
    'maxOrderSessions',
    'Budget & risk',
    'Most order sessions (quote cycles) per run',
    null,
    1,
    1_000_000,
  ),
  whole(
    'maxOrderHorizon',
    'Budget & risk',
    'Latest time before window expiry an order may be placed',
    null,
    0,
    86_400,
    's',
  ),
  // Market making
  flag('mmEnabled', 'Market making', 'Quote both sides of the book to capture the spread', true),
  ratio('mmSpreadMin', 'Market making', 'Narrowest spread the bot quotes (price units)', null, 0.5),
  ratio('mmSpreadMax', 'Market making', 'Widest spread the bot quotes (price units)', null, 0.5),
  {
    key: 'mmOrderSize',
    type: 'number',
    group: 'Market making',
    description: 'Shares per market-making order',
    default: null,
    min: 0,
    max: 1_000_000,
    unit: 'shares',
  },
  money('mmBudget', 'Market making', 'Capital reserved for market making'),
  {
    key: 'minBookDepth',
    type: 'number',
    group: 'Market making',
    description: 'Least depth on the book before quoting',
    default: 5.0,
    min: 0,
    max: 1_000_000,
    unit: 'shares',
  },
  ratio(
    'maxSpreadAsymmetry',
    'Market making',
    'Most difference between the Up and Down spreads before skipping',
    0.02,
  ),
  ratio(
    'midpointSkewLimit',
    'Market making',
    'Most distance of Up+Down midpoints from 1 before skipping',
    0.03,
  ),
  // Other strategies
  flag('arbEnabled', 'Strategies', 'Buy both outcomes when together they cost less than 1', null),
  money('arbBudget', 'Strategies', 'Capital reserved for arbitrage'),
  ratio('arbMinProfit', 'Strategies', 'Least profit per share for an arbitrage', null),
  {
    key: 'arbMaxSize',
    type: 'number',
    group: 'Strategies',
    description: 'Most shares per arbitrage',
    default: null,
    min: 0,
    max: 1_000_000,
    unit: 'shares',
  },
  flag('sniperEnabled', 'Strategies', 'Take mispriced quotes near expiry', null),
  money('sniperBudget', 'Strategies', 'Capital reserved for sniping'),
  flag('contrarianEnabled', 'Strategies', 'Fade strong moves', null),
  money('contrarianBudget', 'Strategies', 'Capital reserved for the contrarian strategy'),
  flag('preExitEnabled', 'Strategies', 'Exit positions before the window resolves', null),
  // Hedging
  flag('hedgeEnabled', 'Hedging', 'Buy the other side of one-sided fills to lock in the pair', true),
  ratio('hedgeMinProfit', 'Hedging', 'Least profit per pair for a hedge', 0.005),
  ratio('hedgeTier1Pct', 'Hedging', 'Tier 1: hedge when this % of the window remains', 67, 100),
  ratio('hedgeTier1Cost', 'Hedging', 'Tier 1: most pair cost accepted (1 = break even)', 1.03, 5),
  ratio('hedgeTier2Pct', 'Hedging', 'Tier 2: hedge when this % of the window remains', 50, 100),
  ratio('hedgeTier2Cost', 'Hedging', 'Tier 2: most pair cost accepted', 1.1, 5),
  ratio('hedgeTier3Pct', 'Hedging', 'Tier 3: hedge when this % of the window remains', 33, 100),
  ratio('hedgeTier3Cost', 'Hedging', 'Tier 3: most pair cost accepted', 1.2, 5),
  flag('hedgeT4Enabled', 'Hedging', 'Tier 4: last-resort hedge accepting a bounded loss', true),
  ratio('hedgeTier4Pct', 'Hedging', 'Tier 4: hedge when this % of the window remains', 33, 100),
  ratio('hedgeTier4MaxLoss', 'Hedging', 'Tier 4: most loss per pair accepted', 0.3),
  // Momentum
  flag('momentumExitEnabled', 'Momentum', 'Exit when the price moves against the position', true),
  ratio('momentumExitThreshold', 'Momentum', 'Price move that triggers a momentum exit', 0.03),
  whole('momentumExitMaxWait', 'Momentum', 'Longest wait for a momentum exit fill', 120, 0, 3_600, 's'),
  ratio('momentumGate', 'Momentum', 'Skip quoting while the underlying moves more than this', 0.01),
  whole(
    'momentumGateMaxConsec',
    'Momentum',
    'Most consecutive gated cycles before quoting anyway',
    3,
    0,
    1_000,
  ),
  ratio('momentumGateScaleBtc', 'Momentum', 'Momentum gate multiplier for BTC', 1.0, 10),
  ratio('momentumGateScaleEth', 'Momentum', 'Momentum gate multiplier for ETH', 1.2, 10),
  ratio('momentumGateScaleSol', 'Momentum', 'Momentum gate multiplier for SOL', 1.8, 10),
  ratio('momentumGateScaleXrp', 'Momentum', 'Momentum gate multiplier for XRP', 1.8, 10),
];

export const CONFIG_KEYS = new Map(CONFIG_SCHEMA.map((spec) => [spec.key, spec]));

export type ConfigValues = Record<string, unknown>;

/** Version 1 of a fresh database: every key with a known default. */
export function defaultConfigValues(): ConfigValues {
  const values: ConfigValues = {};
  for (const spec of CONFIG_SCHEMA) if (spec.default !== null) values[spec.key] = spec.default;
  return values;
}
