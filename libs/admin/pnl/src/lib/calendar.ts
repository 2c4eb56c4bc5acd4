import type { PnlBucket, PnlCalendar, PnlPeriod } from '@polymaker/admin/data-access';
import { compareDecimals, sumDecimals } from '@polymaker/admin/util';

/** Calendar days are handled as UTC midnights of YYYY-MM-DD strings: no time-zone arithmetic here. */
function parse(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}
function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}
function addDays(day: string, days: number): string {
  const d = parse(day);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}
function monday(day: string): string {
  return addDays(day, -((parse(day).getUTCDay() + 6) % 7));
}
function monthStart(day: string, monthsBack = 0): string {
  const d = parse(day);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - monthsBack);
  return iso(d);
}
function monthEnd(day: string): string {
  const d = parse(monthStart(day));
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return iso(d);
}

/** How many buckets each view shows: a month of days, half a year of weeks, a year of months. */
export const WEEKS_SHOWN = 26;
export const MONTHS_SHOWN = 12;

/** Today's date in a time zone (the browser's when none), YYYY-MM-DD. */
export function todayIn(timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

/** The range a view of `period` ending at the bucket holding `end` covers, on the period's boundaries. */
export function rangeFor(period: PnlPeriod, end: string): { from: string; to: string } {
  if (period === 'day') return { from: monthStart(end), to: monthEnd(end) };
  if (period === 'week')
    return { from: addDays(monday(end), -7 * (WEEKS_SHOWN - 1)), to: addDays(monday(end), 6) };
  return { from: monthStart(end, MONTHS_SHOWN - 1), to: monthEnd(end) };
}

/** The `end` of the previous (-1) or next (+1) view. */
export function shiftEnd(period: PnlPeriod, end: string, direction: -1 | 1): string {
  if (period === 'day') return direction < 0 ? addDays(monthStart(end), -1) : addDays(monthEnd(end), 1);
  if (period === 'week') return addDays(monday(end), direction * 7 * WEEKS_SHOWN);
  const d = parse(monthStart(end));
  d.setUTCMonth(d.getUTCMonth() + direction * MONTHS_SHOWN);
  return iso(d);
}

/** Every bucket start in a range, oldest first (empty buckets included: they read 0). */
export function bucketStarts(period: PnlPeriod, from: string, to: string): string[] {
  const starts: string[] = [];
  let at = period === 'day' ? from : period === 'week' ? monday(from) : monthStart(from);
  while (at <= to && starts.length < 400) {
    starts.push(at);
    if (period === 'day') at = addDays(at, 1);
    else if (period === 'week') at = addDays(at, 7);
    else at = monthStart(addDays(monthEnd(at), 1));
  }
  return starts;
}

export interface GridCell {
  day: string;
  /** Day of the month, or null for a padding cell outside the month. */
  date: number | null;
  pnl: string | null;
  trades: number;
}

/** A month's days as weeks of seven cells, Monday first, with each day's P&L (fleet buckets of a day view). */
export function monthGrid(from: string, to: string, buckets: readonly PnlBucket[]): GridCell[][] {
  const byDay = new Map<string, PnlBucket[]>();
  for (const bucket of buckets) byDay.set(bucket.start, [...(byDay.get(bucket.start) ?? []), bucket]);
  const weeks: GridCell[][] = [];
  let day = monday(from);
  while (day <= to) {
    const week: GridCell[] = [];
    for (let i = 0; i < 7; i++, day = addDays(day, 1)) {
      const inRange = day >= from && day <= to;
      const rows = inRange ? (byDay.get(day) ?? []) : [];
      week.push({
        day,
        date: inRange ? parse(day).getUTCDate() : null,
        pnl: rows.length ? sumDecimals(rows.map((r) => r.pnl)) : null,
        trades: rows.reduce((n, r) => n + r.trades, 0),
      });
    }
    weeks.push(week);
  }
  return weeks;
}

export interface PivotRow {
  start: string;
  cells: Record<string, string | undefined>;
  total: string;
}

/** Buckets × keys (keys by their range total, best first), every bucket of the range a row. */
export function pivot(view: PnlCalendar): { keys: string[]; rows: PivotRow[] } {
  const keys = [...view.totals]
    .sort((a, b) => compareDecimals(b.pnl, a.pnl) || a.key.localeCompare(b.key))
    .map((t) => t.key);
  const rows = bucketStarts(view.period, view.from, view.to).map((start): PivotRow => {
    const cells: Record<string, string | undefined> = {};
    for (const bucket of view.buckets) if (bucket.start === start) cells[bucket.key] = bucket.pnl;
    return { start, cells, total: sumDecimals(Object.values(cells)) };
  });
  return { keys, rows };
}

/** A bucket's label: "Mon 30 Nov", "week of 30 Nov", "Nov 2026". */
export function bucketLabel(period: PnlPeriod, start: string): string {
  const d = parse(start);
  if (period === 'month')
    return d.toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const label = d.toLocaleDateString('en-GB', {
    weekday: period === 'day' ? 'short' : undefined,
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return period === 'week' ? `week of ${label}` : label;
}
