import type { TradeFilter, TradeSide, TradeStatus } from '@polymaker/admin/data-access';

/**
 * The Trades page's filters live in the URL query string (`/trades?bot=3&asset=BTC&status=filled`):
 * a reload, the back button and a shared link show the same trades. This reads and writes it.
 */

export type TradeSort = NonNullable<TradeFilter['sort']>;
export const TRADE_SIDES: readonly TradeSide[] = ['buy', 'sell'];
export const TRADE_STATUSES: readonly TradeStatus[] = ['placed', 'filled', 'cancelled', 'failed'];
/** The outcomes of Polymarket's Up/Down markets, and what a bot sends when it cannot tell. */
export const TRADE_OUTCOMES: readonly string[] = ['Up', 'Down', 'Unknown'];
export const TRADE_SORTS: readonly TradeSort[] = ['id', 'price', 'size', 'cycle'];
export const PAGE_SIZES: readonly number[] = [50, 100, 500];

/** The API's length limits of the text filters: a longer value names no trade. */
const TEXT_LIMITS = { asset: 40, window: 20, outcome: 100, strategy: 100 } as const;
const ID = /^[1-9]\d{0,15}$/;

export interface TradeQuery {
  runId: number | null;
  botId: number | null;
  asset: string;
  window: string;
  side: TradeSide | '';
  outcome: string;
  status: TradeStatus | '';
  strategy: string;
  /** ISO 8601 instants (UTC), '' when not set. */
  from: string;
  to: string;
  sort: TradeSort;
  order: 'asc' | 'desc';
  limit: number;
}

export const DEFAULT_VIEW: TradeQuery = {
  runId: null,
  botId: null,
  asset: '',
  window: '',
  side: '',
  outcome: '',
  status: '',
  strategy: '',
  from: '',
  to: '',
  sort: 'id',
  order: 'desc',
  limit: 100,
};

/** What `URLSearchParams` and Angular's `ParamMap` have in common. */
export interface QueryParams {
  get(name: string): string | null;
}

/**
 * The view a URL asks for, and the reasons no trade can match it (a side that is not buy or sell, a
 * bot that is not an id, a date that is not one...): the page then shows an empty result with those
 * reasons instead of asking the API. Unknown sort, order or page size fall back to the defaults.
 */
export function readTradeUrl(params: QueryParams): { view: TradeQuery; problems: string[] } {
  const problems: string[] = [];
  const text = (name: string) => (params.get(name) ?? '').trim();
  const id = (name: string, label: string): number | null => {
    const value = text(name);
    if (value === '') return null;
    if (ID.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    problems.push(`${label} "${value}" is not an id`);
    return null;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | '' => {
    const value = text(name);
    if (value === '' || (allowed as readonly string[]).includes(value)) return value as T | '';
    problems.push(`${name} "${value}" is not one of ${allowed.join(', ')}`);
    return '';
  };
  const bounded = (name: keyof typeof TEXT_LIMITS): string => {
    const value = text(name);
    if (value.length > TEXT_LIMITS[name])
      problems.push(`${name} is longer than ${TEXT_LIMITS[name]} characters`);
    return value;
  };
  const instant = (name: string): string => {
    const value = text(name);
    if (value === '') return '';
    const time = Date.parse(value);
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time)) return new Date(time).toISOString();
    problems.push(`${name} "${value}" is not a date`);
    return '';
  };
  const sort = text('sort') as TradeSort;
  const order = text('order');
  const limit = Number(text('limit'));
  const view: TradeQuery = {
    runId: id('runId', 'run'),
    botId: id('bot', 'bot'),
    asset: bounded('asset'),
    window: bounded('window'),
    side: oneOf('side', TRADE_SIDES),
    outcome: bounded('outcome'),
    status: oneOf('status', TRADE_STATUSES),
    strategy: bounded('strategy'),
    from: instant('from'),
    to: instant('to'),
    sort: TRADE_SORTS.includes(sort) ? sort : DEFAULT_VIEW.sort,
    order: order === 'asc' || order === 'desc' ? order : DEFAULT_VIEW.order,
    limit: PAGE_SIZES.includes(limit) ? limit : DEFAULT_VIEW.limit,
  };
  return { view, problems };
}

/** The query string of a view, for `router.navigate`: defaults and empty values are left out (null removes them). */
export function tradeUrlParams(view: TradeQuery): Record<string, string | null> {
  const value = (v: string | number | null, fallback: string | number | null = null) =>
    v === null || v === '' || v === fallback ? null : String(v);
  return {
    runId: value(view.runId),
    bot: value(view.botId),
    asset: value(view.asset),
    window: value(view.window),
    side: value(view.side),
    outcome: value(view.outcome),
    status: value(view.status),
    strategy: value(view.strategy),
    from: value(view.from),
    to: value(view.to),
    sort: value(view.sort, DEFAULT_VIEW.sort),
    order: value(view.order, DEFAULT_VIEW.order),
    limit: value(view.limit, DEFAULT_VIEW.limit),
  };
}

/** The API filter of a view. */
export function tradeFilterOf(view: TradeQuery): TradeFilter {
  return {
    runId: view.runId,
    botId: view.botId,
    asset: view.asset,
    window: view.window,
    side: view.side,
    outcome: view.outcome,
    status: view.status,
    strategy: view.strategy,
    from: view.from || undefined,
    to: view.to || undefined,
    sort: view.sort,
    order: view.order,
    limit: view.limit,
  };
}

/** A select's choices: the known values, plus the current one when it is not among them (a shared link's). */
export function choicesWith(known: readonly string[], current: string): string[] {
  return current !== '' && !known.includes(current) ? [...known, current] : [...known];
}

/** An ISO instant as a `datetime-local` input value in the browser's time zone ('' when empty). */
export function isoToLocalInput(iso: string): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
}
