import type { Bot, BotWallet, ChainReading, NotificationItem } from '@polymaker/admin/data-access';
import type { ChartSeries } from '@polymaker/admin/ui';
import { decimalToNumber, isDecimal, sumDecimals } from '@polymaker/admin/util';

/** Unread notifications that are open alerts: a low wallet, a stale run, a run that ended in error. */
export function alertNotifications(items: readonly NotificationItem[]): NotificationItem[] {
  return items.filter(
    (n) => !n.read && (n.kind === 'wallet-low' || n.kind === 'run-stale' || n.kind === 'run-error'),
  );
}

/** A balance a bot reported with a metric push (walletBalance, an exact decimal string). */
export interface WalletReading {
  botId: number;
  runId: number;
  /** ms since the epoch */
  at: number;
  balance: string;
}

/** One bot's balance over time: the readings of its newest run that has reported (oldest first). */
export interface WalletLine {
  runId: number;
  points: Array<{ at: number; balance: string }>;
}

/** How many readings a bot's line keeps (the newest). */
const LINE_POINTS = 2000;

/**
 * Adds a reading to its bot's line. A bot's balance is that of its newest run (the latest started,
 * as GET /api/v1/bots gives it): once a newer run reports, the older runs' readings are left out, so
 * runs of one bot reporting in turn make one clean line, not a sawtooth of interleaved runs. A reading
 * the line has (or anything older of the same run) is skipped. Returns whether the line changed.
 */
export function addWalletReading(lines: Map<number, WalletLine>, reading: WalletReading): boolean {
  const line = lines.get(reading.botId);
  const point = { at: reading.at, balance: reading.balance };
  if (!line) {
    lines.set(reading.botId, { runId: reading.runId, points: [point] });
    return true;
  }
  if (reading.runId < line.runId) return false;
  if (reading.runId > line.runId) {
    // the newer run takes over from here: readings of the older run after this one go
    line.runId = reading.runId;
    while ((line.points.at(-1)?.at ?? -Infinity) > reading.at) line.points.pop();
  } else if ((line.points.at(-1)?.at ?? -Infinity) >= reading.at) return false;
  line.points.push(point);
  if (line.points.length > LINE_POINTS) line.points.splice(0, line.points.length - LINE_POINTS);
  return true;
}

/** A wallet series point as a reading, or null without a bot or a balance. */
export function readingOf(
  point: Pick<BotWallet, 'botId' | 'runId' | 'at' | 'walletBalance'>,
): WalletReading | null {
  const at = Date.parse(point.at);
  if (point.botId === null || !isDecimal(point.walletBalance) || Number.isNaN(at)) return null;
  return { botId: point.botId, runId: point.runId, at, balance: point.walletBalance };
}

/** One line per bot from the balance points of GET /api/v1/wallet/series. */
export function walletLines(points: readonly BotWallet[]): Map<number, WalletLine> {
  const readings = points.map(readingOf).filter((r): r is WalletReading => r !== null);
  readings.sort((a, b) => a.at - b.at || a.runId - b.runId);
  const lines = new Map<number, WalletLine>();
  for (const reading of readings) addWalletReading(lines, reading);
  return lines;
}

/**
 * The wallet lines, kept live: loaded from the series, then extended by the balances the run.updated
 * events carry. Readings that arrive while the series is being fetched are laid over its answer.
 */
export class WalletBook {
  private current = new Map<number, WalletLine>();
  private arrived: WalletReading[] | null = null;

  lines(): ReadonlyMap<number, WalletLine> {
    return this.current;
  }

  start(): void {
    this.arrived = [];
  }

  /** The series answered (or failed: null, the lines stay). */
  finish(points: readonly BotWallet[] | null): void {
    if (points) this.current = walletLines(points);
    for (const reading of this.arrived ?? []) addWalletReading(this.current, reading);
    this.arrived = null;
  }

  add(reading: WalletReading): boolean {
    this.arrived?.push(reading);
    return addWalletReading(this.current, reading);
  }
}

/** A bot's latest balance: the last of its line, else what GET /api/v1/bots says (its newest run's). */
export function botBalance(
  bot: Pick<Bot, 'botId' | 'walletBalance'>,
  lines: ReadonlyMap<number, WalletLine>,
): string | null {
  return lines.get(bot.botId)?.points.at(-1)?.balance ?? bot.walletBalance;
}

/** The wallet KPI: the exact sum over bots of each bot's latest balance, and how many bots have one. */
export function walletTotal(
  bots: readonly Pick<Bot, 'botId' | 'walletBalance'>[],
  lines: ReadonlyMap<number, WalletLine>,
): { total: string | null; bots: number } {
  const balances = bots.map((b) => botBalance(b, lines)).filter((v): v is string => v !== null);
  return { total: balances.length ? sumDecimals(balances) : null, bots: balances.length };
}

/** The wallet chart: one step line per bot, named by `name`, and one for the watched address (USDC). */
export function walletChartSeries(
  lines: ReadonlyMap<number, WalletLine>,
  name: (botId: number) => string,
  chain: readonly ChainReading[] = [],
): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const [botId, line] of lines) {
    const points = line.points
      .map((p) => [p.at, decimalToNumber(p.balance)] as const)
      .filter((p): p is readonly [number, number] => p[1] !== null);
    out.push({ name: name(botId), points: points.map(([t, v]) => [t, v] as [number, number]), step: true });
  }
  out.sort((a, b) => a.name.localeCompare(b.name));
  const watched = chain
    .map((r) => [Date.parse(r.at), decimalToNumber(r.usdc)] as const)
    .filter((p): p is readonly [number, number] => p[1] !== null);
  if (watched.length)
    out.push({ name: 'watched address (USDC)', points: watched.map(([t, v]) => [t, v] as [number, number]) });
  return out;
}

/**
 * The name of a low-balance alert's source: "bot:<botId>" is that bot (named as on the Bots page; a
 * state recorded before alerts were kept per bot names a key, which `botOfKey` maps to its bot),
 * "chain:<address>" the watched address.
 */
export function walletSourceName(
  source: string,
  botOfKey: ReadonlyMap<number, number>,
  name: (botId: number) => string,
): string {
  const bot = /^bot:(\d+)$/.exec(source);
  if (bot) {
    const id = Number(bot[1]);
    return name(botOfKey.get(id) ?? id);
  }
  const chain = /^chain:(.+)$/.exec(source);
  return chain ? `watched address ${chain[1]}` : source;
}

/** Which bot each reporting API key belongs to, from balance points (they name both). */
export function botsOfKeys(points: readonly Pick<BotWallet, 'apiKeyId' | 'botId'>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of points) if (p.apiKeyId !== null && p.botId !== null) out.set(p.apiKeyId, p.botId);
  return out;
}
