import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  createMonthlyPartitions,
  dropMonthlyPartition,
  monthlyPartitions,
  RunUpdatedEvent,
  Sql,
  sqlOf,
  toDecimalString,
  UnitOfWork,
} from '@polymaker/api/core';
import type { MetricPointView } from './dto/metric-point.dto';
import { RunMetricPoint } from './entities/run-metric-point.entity';

/** A balance reading from a bot's metrics. */
export interface WalletPoint {
  runId: number;
  apiKeyId: number | null;
  /** The bot that owns the run (the first key of its rotation chain); null: a run without a bot. */
  botId: number | null;
  at: string;
  walletBalance: string | null;
  startingWallet: string | null;
  positionValue: string | null;
}

interface WalletPointRow {
  run_id: string;
  api_key_id: string | null;
  bot_id: string | null;
  at: Date;
  wallet: string | null;
  starting: string | null;
  position: string | null;
}

function toWalletPoint(row: WalletPointRow): WalletPoint {
  return {
    runId: Number(row.run_id),
    apiKeyId: row.api_key_id === null ? null : Number(row.api_key_id),
    botId: row.bot_id === null ? null : Number(row.bot_id),
    at: new Date(row.at).toISOString(),
    walletBalance: row.wallet,
    startingWallet: row.starting,
    positionValue: row.position,
  };
}

/** A run's totalPnl series: points with a totalPnl, its peak and its largest peak-to-trough fall. */
export interface MetricSeriesStats {
  points: number;
  peakPnl: string | null;
  maxDrawdown: string | null;
}

/** A run's metric points of [since, until) (null: unbounded on that side). */
export interface MetricInterval {
  runId: number;
  since: Date | null;
  until: Date | null;
}

/** The reported totalPnl over an interval (MetricsService.intervalPnl); exact decimals as strings. */
export interface IntervalPnl {
  /** Points with a totalPnl inside the interval. */
  points: number;
  opening: string;
  closing: string;
  /** closing − opening. */
  change: string;
  /** Largest peak-to-trough fall inside the interval (from the opening value on); null without a point. */
  maxDrawdown: string | null;
}

/** totalPnl as stored (a plain decimal), the only text the SQL casts to numeric (as run_metric_stats does). */
const PNL_TEXT = '^-?[0-9]+(\\.[0-9]+)?$';

@Injectable()
export class MetricsService implements OnModuleInit {
  constructor(private readonly uow: UnitOfWork) {}

  /** The metric series reacts to run.updated inside the update's transaction: the point commits with it. */
  onModuleInit(): void {
    this.uow.listenInTransaction<RunUpdatedEvent>(RunUpdatedEvent.eventName, (event, sql) =>
      this.recordPoint(sql, event),
    );
  }

  /** Stores the point of one run/update (one statement, in the update's transaction). */
  async recordPoint(sql: Sql, event: RunUpdatedEvent): Promise<void> {
    await sql.query(
      'insert into run_metric_points (run_id, api_key_id, bot_id, at, metric_values, extra) values ($1, $2, $3, $4, $5::jsonb, $6::jsonb)',
      [
        event.runId,
        event.apiKeyId,
        event.botId,
        event.at,
        JSON.stringify(event.metrics),
        JSON.stringify(event.extra),
      ],
    );
  }

  /** The latest point with a walletBalance of each key (one row per key). */
  async latestWalletPoints(): Promise<WalletPoint[]> {
    const rows = await this.uow.read((em) =>
      em.execute<WalletPointRow[]>(
        `select distinct on (api_key_id) run_id, api_key_id, bot_id, at, id,
                metric_values->>'walletBalance' as wallet, metric_values->>'startingWallet' as starting,
                metric_values->>'positionValue' as position
           from run_metric_points
          where metric_values->>'walletBalance' is not null
          order by api_key_id, at desc, id desc`,
      ),
    );
    return rows.map(toWalletPoint);
  }

  /** Balance points (walletBalance or positionValue), the newest `limit`, oldest first. */
  async walletPoints(query: { runId?: number; apiKeyId?: number; limit: number }): Promise<WalletPoint[]> {
    const where: string[] = [
      "(metric_values->>'walletBalance' is not null or metric_values->>'positionValue' is not null)",
    ];
    const params: unknown[] = [];
    if (query.runId) {
      where.push('run_id = ?');
      params.push(query.runId);
    }
    if (query.apiKeyId) {
      where.push('api_key_id = ?');
      params.push(query.apiKeyId);
    }
    params.push(query.limit);
    const rows = await this.uow.read((em) =>
      em.execute<WalletPointRow[]>(
        `select * from (
           select run_id, api_key_id, bot_id, at, id,
                  metric_values->>'walletBalance' as wallet, metric_values->>'startingWallet' as starting,
                  metric_values->>'positionValue' as position
             from run_metric_points
            where ${where.join(' and ')}
            order by at desc, id desc limit ?) s
          order by at, id`,
        params,
      ),
    );
    return rows.map(toWalletPoint);
  }

  /** Creates the monthly partitions of the metric points for this month and the next `monthsAhead` (idempotent). */
  createPartitionsAhead(em: EntityManager, monthsAhead: number): Promise<string[]> {
    return createMonthlyPartitions(sqlOf(em), 'run_metric_points', 'at', monthsAhead);
  }

  /**
   * Retention: removes points older than `days` except those of the runs still running (the caller
   * names them: runs are the runs module's). A month wholly past the horizon with no point of a
   * running run is dropped as a whole partition (detached and dropped: no DELETE, no vacuum
   * afterwards); the rest (the month the horizon falls in, a month that still holds a running run's
   * points, the DEFAULT partition) loses its old points row by row. A partition whose lock cannot be
   * had within two seconds stays for the next turn, its old points deleted row by row meanwhile.
   */
  async purgeOlderThan(
    em: EntityManager,
    days: number,
    keepRunIds: number[],
  ): Promise<{ points: number; partitions: string[] }> {
    const sql = sqlOf(em);
    const [horizon] = await sql.query<{ at: Date }>('select now() - make_interval(days => $1) as at', [days]);
    const dropped: string[] = [];
    for (const partition of await monthlyPartitions(sql, 'run_metric_points')) {
      if (partition.to.getTime() > new Date(horizon.at).getTime()) break;
      const [held] = await sql.query<{ found: boolean }>(
        `select exists (select 1 from run_metric_points
                         where at >= $1 and at < $2 and run_id = any(array(select (jsonb_array_elements_text($3::jsonb))::bigint))) as found`,
        [partition.from.toISOString(), partition.to.toISOString(), JSON.stringify(keepRunIds)],
      );
      if (held.found) continue;
      try {
        await this.uow.savepoint((inner) =>
          dropMonthlyPartition(sqlOf(inner), 'run_metric_points', partition.name),
        );
        dropped.push(partition.name);
      } catch {
        // the lock was not had in time (or the drop failed): the row-level delete below covers it
      }
    }
    const [row] = await sql.query<{ n: string }>(
      `with gone as (
         delete from run_metric_points
          where at < $1
            and run_id not in (select (jsonb_array_elements_text($2::jsonb))::bigint)
         returning 1)
       select count(*) as n from gone`,
      [new Date(horizon.at).toISOString(), JSON.stringify(keepRunIds)],
    );
    return { points: Number(row.n), partitions: dropped };
  }

  /**
   * The run's totalPnl series in three numbers, from the run_metric_stats aggregate (kept by a
   * trigger on run_metric_points): no scan of the series. Exact decimals as strings.
   */
  async seriesStatsOf(db: EntityManager | Sql, runId: number): Promise<MetricSeriesStats> {
    const [row] = await sqlOf(db).query<{
      points: string;
      peak_pnl: string | null;
      max_drawdown: string | null;
    }>(
      'select points, peak_pnl::text as peak_pnl, max_drawdown::text as max_drawdown from run_metric_stats where run_id = $1',
      [runId],
    );
    if (!row) return { points: 0, peakPnl: null, maxDrawdown: null };
    return { points: Number(row.points), peakPnl: exact(row.peak_pnl), maxDrawdown: exact(row.max_drawdown) };
  }

  /**
   * The run's reported totalPnl over each interval [since, until) (null: from the run's start, or to
   * its last point), in the order asked: the value at its opening (the run's last point before
   * `since`; 0 at the run's start, or before its first point), at its close (the last point before
   * `until`; the opening when none), the change between them, and the largest peak-to-trough fall
   * within it (peaks counted from the opening value; null without a point inside). Exact numeric,
   * one statement, index ranges of run_metric_points (run_id, at) per interval.
   */
  async intervalPnl(intervals: readonly MetricInterval[]): Promise<IntervalPnl[]> {
    if (intervals.length === 0) return [];
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{
          i: number;
          points: string;
          opening: string;
          closing: string;
          change: string;
          max_drawdown: string | null;
        }>(
          // The intervals as one JSON text (an array parameter is spread inside an ORM transaction).
          `with s as (select * from jsonb_to_recordset($1::jsonb) as s (i int, run bigint, since timestamptz, until timestamptz)),
                opening as (
                  select s.i, o.v from s
                    left join lateral (
                      select (p.metric_values->>'totalPnl')::numeric as v from run_metric_points p
                       where s.since is not null and p.run_id = s.run and p.at < s.since and p.metric_values->>'totalPnl' ~ '${PNL_TEXT}'
                       order by p.at desc, p.id desc limit 1) o on true),
                points as (
                  select s.i, p.at, p.id, (p.metric_values->>'totalPnl')::numeric as v, false as opens
                    from s join run_metric_points p on p.run_id = s.run
                                                   and p.at >= coalesce(s.since, '-infinity'::timestamptz)
                                                   and p.at < coalesce(s.until, 'infinity'::timestamptz)
                   where p.metric_values->>'totalPnl' ~ '${PNL_TEXT}'
                  union all
                  select i, '-infinity'::timestamptz, 0, v, true from opening where v is not null),
                falls as (
                  select i, v, opens, max(v) over (partition by i order by at, id rows between unbounded preceding and current row) - v as fall,
                         row_number() over (partition by i order by at desc, id desc) as from_end
                    from points)
           select s.i, count(f.v) filter (where not f.opens) as points,
                  coalesce(max(f.v) filter (where f.opens), 0)::text as opening,
                  coalesce(max(f.v) filter (where f.from_end = 1), 0)::text as closing,
                  (coalesce(max(f.v) filter (where f.from_end = 1), 0) - coalesce(max(f.v) filter (where f.opens), 0))::text as change,
                  case when count(f.v) filter (where not f.opens) > 0 then max(f.fall)::text end as max_drawdown
             from s left join falls f on f.i = s.i
            group by s.i
            order by s.i`,
          [
            JSON.stringify(
              intervals.map((v, i) => ({
                i,
                run: v.runId,
                since: v.since?.toISOString() ?? null,
                until: v.until?.toISOString() ?? null,
              })),
            ),
          ],
        ),
      { single: true },
    );
    return rows.map((row) => ({
      points: Number(row.points),
      opening: exact(row.opening) ?? '0',
      closing: exact(row.closing) ?? '0',
      change: exact(row.change) ?? '0',
      maxDrawdown: exact(row.max_drawdown),
    }));
  }

  async series(runId: number, limit = 5000): Promise<MetricPointView[]> {
    const points = await this.uow.read((em) =>
      em.find(RunMetricPoint, { runId }, { orderBy: { at: 'desc', id: 'desc' }, limit }),
    );
    return points
      .reverse()
      .map((point) => ({ ...point.values, at: point.at.toISOString(), extra: point.extra }));
  }
}

/** numeric text from PostgreSQL without its trailing zeros ("0.50000000" → "0.5"). */
function exact(value: string | null): string | null {
  return value === null ? null : (toDecimalString(value) ?? value);
}
