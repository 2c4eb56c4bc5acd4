import { Injectable } from '@nestjs/common';
import { AnalysisService } from '@polymaker/api/analysis';
import { ConfigService } from '@polymaker/api/config';
import { FleetService } from '@polymaker/api/fleet';
import {
  BadInputError,
  FieldProblem,
  JsonObject,
  MarketsReportedEvent,
  MAX_MONEY,
  NotFoundError,
  PayloadReader,
  Principal,
  RunStartedEvent,
  RunStoppedEvent,
  RunUpdatedEvent,
  TradeLoggedEvent,
  TradeUpdatedEvent,
  UnitOfWork,
  UnprocessableError,
} from '@polymaker/api/core';
import { readReportedMarket, MarketsService, ReportedMarket } from '@polymaker/api/markets';
import { readMetrics } from '@polymaker/api/metrics';
import { RunOwner, RunsService, STOP_STATUSES } from '@polymaker/api/runs';
import { NewTrade, readNewTrade, readTradeUpdate, TradesService } from '@polymaker/api/trades';

export const MAX_BATCH_TRADES = 10_000;
const MODE_ALIASES = { paper: 'dry_run', dry: 'dry_run', dryrun: 'dry_run' } as const;

/**
 * Whose runs and trades the caller may name: a bot key only its own bot's (another bot's run or trade
 * is answered 404, exactly like one that does not exist); an admin key every one.
 */
function ownerOf(principal: Principal): RunOwner {
  return principal.scope === 'admin' ? null : principal.botId;
}

/**
 * The legacy bot wire contract (docs/bot-api.md) mapped onto the domain services.
 * Every write runs in one unit of work: it commits whole or not at all.
 */
@Injectable()
export class BotGatewayService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly configs: ConfigService,
    private readonly runs: RunsService,
    private readonly trades: TradesService,
    private readonly markets: MarketsService,
    private readonly analysis: AnalysisService,
    private readonly fleet: FleetService,
  ) {}

  /**
   * A write of one statement needs no BEGIN/COMMIT (autocommit) unless its event has in-transaction
   * listeners, whose writes must commit with it.
   */
  private oneStatement(eventName: string): boolean {
    return !this.uow.hasTransactionListeners(eventName);
  }

  async status(principal: Principal, version: string): Promise<JsonObject> {
    const [active, openRuns] = await Promise.all([
      this.fleet.servedConfig(principal, { record: false }),
      this.runs.countByStatus('running', ownerOf(principal)),
    ]);
    return {
      ok: true,
      service: 'polymaker-command-center',
      version,
      time: new Date().toISOString(),
      apiKey: { valid: true, name: principal.name, scope: principal.scope },
      activeConfig: active ? { id: active.id, version: active.id, pauseOrders: active.pauseOrders } : null,
      openRuns,
    };
  }

  async startRun(principal: Principal, body: unknown): Promise<JsonObject> {
    const reader = PayloadReader.of(body, 'run/start body');
    const configId = reader.integer('configId', { min: 1 });
    const mode = reader.oneOf('mode', ['dry_run', 'live'] as const, {
      required: true,
      aliases: MODE_ALIASES,
    });
    const startingBankroll = reader.decimal('startingBankroll', { min: '0', max: MAX_MONEY });
    reader.assertValid('run/start');
    return this.uow.sql(async (sql) => {
      if (configId !== null && !(await this.configs.versionExists(sql, configId))) {
        throw new UnprocessableError(
          `configId ${configId} is not a config version. Send the id returned by GET /api/bot/config.`,
          [{ field: 'configId', message: 'is not a config version' }],
        );
      }
      const run = await this.runs.startRun(sql, {
        apiKeyId: principal.apiKeyId,
        botId: principal.botId,
        configId,
        mode,
        startingBankroll,
        extra: reader.rest(),
      });
      this.uow.publish(new RunStartedEvent(run.id, principal.apiKeyId, configId, mode, principal.botId));
      return { runId: run.id, status: run.status, configId, mode, startedAt: run.startedAt.toISOString() };
    });
  }

  async updateRun(principal: Principal, body: unknown): Promise<JsonObject> {
    const reader = PayloadReader.of(body, 'run/update body');
    const runId = reader.integer('runId', { required: true, min: 1 });
    const sample = readMetrics(reader, []);
    reader.assertValid('run/update');
    // One UPDATE of the run; the metric point is written by the metrics module's in-transaction listener.
    return this.uow.sql(async (sql) => {
      const at = new Date();
      const run = await this.runs.applyMetricsSql(sql, runId, ownerOf(principal), sample, at); // 404, or 409 after run/stop
      this.uow.publish(
        new RunUpdatedEvent(
          run.id,
          principal.apiKeyId,
          sample.values,
          sample.extra,
          at.toISOString(),
          run.botId,
        ),
      );
      return { ok: true, runId: run.id, status: run.status };
    });
  }

  async stopRun(principal: Principal, body: unknown): Promise<JsonObject> {
    const reader = PayloadReader.of(body, 'run/stop body');
    const runId = reader.integer('runId', { required: true, min: 1 });
    const status = reader.oneOf('status', STOP_STATUSES, { required: true });
    const errorMessage = reader.string('errorMessage', { maxLength: 5000 });
    const sample = readMetrics(reader, []);
    reader.assertValid('run/stop');
    // Plain SQL, about seven round trips whatever the size of the run: lock, final metrics (and
    // their point), the two aggregates, the pending analysis, the closing UPDATE, the outbox job.
    return this.uow.sql(async (sql) => {
      const run = await this.runs.lockForStop(sql, runId, ownerOf(principal));
      if (run.stopResult) return run.stopResult as JsonObject; // the bot often stops twice: same answer
      const at = new Date();
      let metrics = run.metrics;
      if (Object.keys(sample.values).length > 0 || Object.keys(sample.extra).length > 0) {
        await this.runs.applyMetricsSql(sql, run.runId, ownerOf(principal), sample, at);
        metrics = { ...metrics, ...sample.values };
        // The final metrics are a run.updated like any other (the series, the wallet check, the live view);
        // its in-transaction listeners run now, so the score below sees the final point.
        this.uow.publish(
          new RunUpdatedEvent(
            run.runId,
            principal.apiKeyId,
            sample.values,
            sample.extra,
            at.toISOString(),
            run.botId,
          ),
        );
        await this.uow.dispatch();
      }
      const stoppedAt = new Date();
      // The score from the run's aggregates (no scan of its trades); the full analysis and the
      // run summary are owed through the outbox by run.stopped's in-transaction listener.
      const analysis = await this.analysis.scoreOnStop(sql, { ...run, status, stoppedAt, metrics });
      const stopResult = { ok: true, runId: run.runId, status, stoppedAt: stoppedAt.toISOString(), analysis };
      await this.runs.recordStop(sql, run.runId, {
        status,
        errorMessage,
        stoppedAt,
        overallScore: analysis.overallScore,
        stopResult,
      });
      this.uow.publish(
        new RunStoppedEvent(
          run.runId,
          principal.apiKeyId,
          status,
          errorMessage,
          analysis.overallScore,
          analysis.analysisId,
          principal.botId,
        ),
      );
      return stopResult as unknown as JsonObject;
    });
  }

  async logTrade(principal: Principal, body: unknown): Promise<JsonObject> {
    const reader = PayloadReader.of(body, 'trade body');
    const trade = readNewTrade(reader);
    reader.assertValid('trade');
    // The run's owner comes from the runs module's cache; the trade is one INSERT (no BEGIN/COMMIT of its own),
    // shared with the single trades of other requests arriving at the same moment.
    const botId = await this.runs.botOf(trade.runId, ownerOf(principal));
    if (this.oneStatement(TradeLoggedEvent.eventName) && !this.uow.inUnitOfWork) {
      // Not in a transaction (no Idempotency-Key): written with the other single trades of the moment.
      const tradeId = await this.trades.insertGrouped(trade, botId);
      this.uow.publish(new TradeLoggedEvent(trade.runId, [tradeId]));
      return { tradeId, runId: trade.runId, status: 'placed' };
    }
    return this.uow.sql(
      async (sql) => {
        const [tradeId] = await this.trades.insert(sql, [trade], new Map([[trade.runId, botId]]));
        this.uow.publish(new TradeLoggedEvent(trade.runId, [tradeId]));
        return { tradeId, runId: trade.runId, status: 'placed' };
      },
      { single: this.oneStatement(TradeLoggedEvent.eventName) },
    );
  }

  async logTradeBatch(principal: Principal, body: unknown): Promise<JsonObject> {
    PayloadReader.of(body, 'trade/batch body');
    const items = (body as JsonObject)['trades'];
    if (!Array.isArray(items) || items.length === 0) {
      throw new BadInputError('trade/batch needs "trades": a non-empty list of trades.', [
        { field: 'trades', message: 'must be a non-empty list' },
      ]);
    }
    if (items.length > MAX_BATCH_TRADES) {
      throw new BadInputError(
        `trade/batch takes at most ${MAX_BATCH_TRADES} trades per call (got ${items.length}).`,
        [{ field: 'trades', message: `must have at most ${MAX_BATCH_TRADES} items` }],
      );
    }
    const problems: FieldProblem[] = [];
    const trades: NewTrade[] = [];
    items.forEach((item, index) => {
      const path = `trades[${index}]`;
      try {
        const reader = PayloadReader.of(item, 'each trade', path);
        trades.push(readNewTrade(reader));
        problems.push(...reader.issues);
      } catch (error) {
        if (error instanceof BadInputError) problems.push({ field: path, message: 'must be a JSON object' });
        else throw error;
      }
    });
    if (problems.length > 0) {
      const shown = problems.slice(0, 10).map((p) => `${p.field} ${p.message}`);
      const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
      throw new BadInputError(
        `Invalid trade batch, nothing was stored: ${shown.join('; ')}${more}.`,
        problems,
      );
    }
    const runIds = [...new Set(trades.map((trade) => trade.runId))];
    const owners = await this.runs.botsOf(runIds, ownerOf(principal)); // another bot's run: missing
    const missing = trades.findIndex((trade) => !owners.has(trade.runId));
    if (missing >= 0) {
      throw new NotFoundError(
        `Invalid trade batch, nothing was stored: trades[${missing}].runId ${trades[missing].runId} is not a run.`,
      );
    }
    // One INSERT of every row: it stores all of them or none.
    return this.uow.sql(
      async (sql) => {
        const tradeIds = await this.trades.insert(sql, trades, owners);
        for (const runId of runIds) {
          this.uow.publish(
            new TradeLoggedEvent(
              runId,
              tradeIds.filter((_, i) => trades[i].runId === runId),
            ),
          );
        }
        return { tradeIds, count: tradeIds.length };
      },
      { single: this.oneStatement(TradeLoggedEvent.eventName) },
    );
  }

  async updateTrade(principal: Principal, body: unknown): Promise<JsonObject> {
    const reader = PayloadReader.of(body, 'trade/update body');
    const update = readTradeUpdate(reader);
    reader.assertValid('trade/update');
    // One UPDATE ... WHERE id and bot_id RETURNING (shared with the single updates of the moment when
    // no transaction is open): another bot's trade is not found.
    if (this.oneStatement(TradeUpdatedEvent.eventName) && !this.uow.inUnitOfWork) {
      const trade = await this.trades.updateGrouped(update, ownerOf(principal));
      this.uow.publish(new TradeUpdatedEvent(trade.runId, trade.id, trade.status));
      return { ok: true, tradeId: trade.id, status: trade.status };
    }
    return this.uow.sql(
      async (sql) => {
        const trade = await this.trades.update(sql, update, ownerOf(principal));
        this.uow.publish(new TradeUpdatedEvent(trade.runId, trade.id, trade.status));
        return { ok: true, tradeId: trade.id, status: trade.status };
      },
      { single: this.oneStatement(TradeUpdatedEvent.eventName) },
    );
  }

  async reportMarkets(principal: Principal, body: unknown): Promise<JsonObject> {
    PayloadReader.of(body, 'markets/report body');
    const items = (body as JsonObject)['markets'];
    if (!Array.isArray(items)) {
      throw new BadInputError('markets/report needs "markets": a list of markets.', [
        { field: 'markets', message: 'must be a list' },
      ]);
    }
    const problems: FieldProblem[] = [];
    const markets: ReportedMarket[] = [];
    items.forEach((item, index) => {
      const reader = PayloadReader.of(item, 'each market', `markets[${index}]`);
      markets.push(readReportedMarket(reader));
      problems.push(...reader.issues);
    });
    if (problems.length > 0) {
      const shown = problems.slice(0, 10).map((p) => `${p.field} ${p.message}`);
      throw new BadInputError(`Invalid market report, nothing was stored: ${shown.join('; ')}.`, problems);
    }
    const upserted = await this.uow.sql(
      (sql) =>
        this.markets.report(sql, { botId: principal.botId, apiKeyId: principal.apiKeyId }, markets, items),
      { single: this.oneStatement(MarketsReportedEvent.eventName) },
    );
    return { ok: true, received: items.length, upserted };
  }
}
