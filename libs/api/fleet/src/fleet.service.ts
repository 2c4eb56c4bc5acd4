import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuditService, currentActor } from '@polymaker/api/audit';
import { ApiKeysService } from '@polymaker/api/auth';
import { ConfigService } from '@polymaker/api/config';
import {
  addDecimal,
  BadInputError,
  BotStateChangedEvent,
  compareDecimal,
  FleetChangedEvent,
  NotFoundError,
  Principal,
  RunStaleEvent,
  RunStartedEvent,
  RunStoppedEvent,
  Sql,
  sqlOf,
  UnitOfWork,
} from '@polymaker/api/core';
import { MarketsService } from '@polymaker/api/markets';
import { RunsService } from '@polymaker/api/runs';
import { PnlService, TradesService } from '@polymaker/api/trades';
import type {
  AssignmentView,
  BotView,
  ConfigSpanView,
  ExposureView,
  PauseView,
  PauseTargetDto,
} from './dto/fleet.dto';
import { Assignment, FleetRules, MAX_TAGS, pauseCovers, resolveBot, TAG_PATTERN } from './resolve';

/** How long another instance may serve superseded assignments or pauses; this instance refreshes at once. */
const RULES_CACHE_MS = 1_000;
/** While a refresh waits for the database, polls get the rules of a moment ago, for at most this long. */
const RULES_STALE_MS = 30_000;
/** Polls are remembered in memory and written at most this often (one statement for every bot polled). */
const POLL_FLUSH_MS = 1_000;
/** A running bot whose runs have sent nothing for this long is `stale`. */
export const BOT_STALE_MS = 5 * 60_000;
/** Run and fleet events are followed by one state check per bot concerned, at most this often. */
const STATE_CHECK_MS = 500;
/** A one-sided window this close to expiry (or past it, unresolved) is flagged. */
export const EXPOSURE_AT_RISK_SECONDS = 120;
/** The versions a bot's page lists (newest first). */
const SPANS_SHOWN = 50;

type BotState = BotView['state'];

/** One span of a bot's config polls: the version and pause state it was served from `startedAt`, last seen at `lastSeenAt`. */
export interface BotSpan {
  configId: number;
  paused: boolean;
  startedAt: Date;
  lastSeenAt: Date;
}

interface Poll {
  apiKeyId: number;
  configId: number;
  paused: boolean;
  /** Epoch ms. */
  at: number;
}

interface CachedRules extends FleetRules {
  loadedAt: number;
}

/**
 * Fleet control: bots (a bot is the first key of its rotation chain), their tags, config versions
 * assigned to a bot or a tag over the fleet default, the pause laid over the served config, and what
 * each bot was last served. Owns bot_profiles, config_assignments, fleet_pauses and bot_polls.
 */
@Injectable()
export class FleetService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FleetService.name);
  private rules: CachedRules | null = null;
  /** Counts this instance's admin changes: rules read before the latest change are never kept. */
  private generation = 0;
  private loading: { generation: number; promise: Promise<CachedRules> } | null = null;
  private readonly polls = new Map<number, Poll>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** The state each bot was last seen in by this instance (null until read at start-up). */
  private states: Map<number, BotState> | null = null;
  /** Bots whose state is checked at the next tick (null: every bot, after a fleet-wide change). */
  private stateChecks: Set<number> | null = new Set();
  private stateTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly keys: ApiKeysService,
    private readonly configs: ConfigService,
    private readonly runs: RunsService,
    private readonly trades: TradesService,
    private readonly pnl: PnlService,
    private readonly markets: MarketsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flushPolls(), POLL_FLUSH_MS);
    this.timer.unref();
  }

  onApplicationBootstrap(): void {
    // The states the changes are compared with; a failure here only means no event for the first change.
    this.bots()
      .then((bots) => (this.states ??= new Map(bots.map((b) => [b.botId, b.state]))))
      .catch((error: Error) =>
        this.logger.warn({ err: error.message }, 'could not read the bots’ states at start-up'),
      );
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.stateTimer) clearTimeout(this.stateTimer);
    await this.flushPolls();
  }

  @OnEvent(RunStartedEvent.eventName)
  @OnEvent(RunStoppedEvent.eventName)
  @OnEvent(RunStaleEvent.eventName)
  onRunEvent(event: RunStartedEvent | RunStoppedEvent | RunStaleEvent): void {
    if (event.botId !== null) this.checkStateSoon(event.botId);
  }

  @OnEvent(FleetChangedEvent.eventName)
  onFleetChanged(event: FleetChangedEvent): void {
    if (event.change !== 'paused' && event.change !== 'resumed' && event.change !== 'tags') return;
    this.checkStateSoon(event.botId);
  }

  /** Queues a state check of one bot (null: every bot); the checks of many events go out together. */
  private checkStateSoon(botId: number | null): void {
    if (botId === null) this.stateChecks = null;
    else this.stateChecks?.add(botId);
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      const bots = this.stateChecks;
      this.stateChecks = new Set();
      this.checkStates(bots).catch((error: Error) =>
        this.logger.warn({ err: error.message }, 'could not check the bots’ states'),
      );
    }, STATE_CHECK_MS);
    this.stateTimer.unref();
  }

  /**
   * Publishes bot.state-changed for each of these bots (null: every bot) whose state is not the one
   * this instance saw last: the rules from memory and one query for the open runs of all of them.
   */
  private async checkStates(botIds: Set<number> | null): Promise<void> {
    const known = this.states;
    if (!known) return;
    const rules = await this.loadRules();
    const ids =
      botIds === null
        ? [...new Set((await this.keys.list()).filter((k) => k.scope === 'bot').map((k) => k.botId))]
        : [...botIds];
    const open = await this.runs.openRunsOf(ids);
    const now = Date.now();
    for (const [botId, runs] of open) {
      const state = stateOf(resolveBot(botId, rules).pause !== null, runs.running, runs.lastUpdateAt, now);
      // a bot not known at start-up got its first key since: it was idle
      const previous = known.get(botId) ?? 'idle';
      if (previous === state) continue;
      known.set(botId, state);
      this.uow.publish(new BotStateChangedEvent(botId, state, previous, runs.running));
    }
  }

  /**
   * The body of `GET /api/bot/config` for this bot: its assigned version (bot over tag over the fleet
   * default), with `pauseOrders: true` laid over it while a pause covers it. Answered from memory;
   * a bot's poll is remembered (what was served, when) and written within a second (not with
   * `record: false`: GET /api/bot/status names the same config without counting as a poll).
   */
  async servedConfig(
    principal: Principal,
    options: { record?: boolean } = {},
  ): Promise<{ id: number; json: string; pauseOrders: boolean } | null> {
    // The poll of every bot every ~10 s: no await while the rules are fresh, nothing allocated for a
    // fleet with no assignment and no pause (the active version's snapshot is served as it is).
    const current = this.currentRules();
    const rules = current instanceof Promise ? await current : current;
    let served: { id: number; json: string; pauseOrders: boolean } | null = null;
    if (rules.assignments.length > 0 || rules.pauses.length > 0) {
      const resolution = resolveBot(principal.botId, rules);
      if (resolution.configId !== null) {
        const assigned = await this.configs.servedJson(resolution.configId, resolution.pause !== null);
        if (assigned) served = { id: resolution.configId, ...assigned };
      }
      if (!served && resolution.pause) {
        const active = await this.configs.activeSnapshot();
        const paused = active ? await this.configs.servedJson(active.id, true) : null;
        if (active && paused) served = { id: active.id, ...paused };
      }
    }
    if (!served) served = await this.configs.activeSnapshot();
    if (!served) return null;
    // Only bots' polls count as pick-up (an admin key may read /api/bot/config too).
    if (options.record !== false && principal.scope === 'bot') {
      const poll = this.polls.get(principal.botId);
      if (poll) {
        poll.apiKeyId = principal.apiKeyId;
        poll.configId = served.id;
        poll.paused = served.pauseOrders;
        poll.at = Date.now();
      } else {
        this.polls.set(principal.botId, {
          apiKeyId: principal.apiKeyId,
          configId: served.id,
          paused: served.pauseOrders,
          at: Date.now(),
        });
      }
    }
    return served;
  }

  /**
   * The rules from memory (no promise while they are fresh), refreshed at most every RULES_CACHE_MS;
   * while a refresh waits for the database, the rules of a moment ago (up to RULES_STALE_MS old).
   */
  private currentRules(): CachedRules | Promise<CachedRules> {
    const cached = this.rules;
    const now = Date.now();
    if (cached && cached.loadedAt > now - RULES_CACHE_MS) return cached;
    if (!this.loading || this.loading.generation !== this.generation) {
      const promise: Promise<CachedRules> = this.loadRules().finally(() => {
        if (this.loading?.promise === promise) this.loading = null;
      });
      promise.catch(() => undefined);
      this.loading = { generation: this.generation, promise };
    }
    if (cached && cached.loadedAt > now - RULES_STALE_MS) return cached;
    return this.loading.promise;
  }

  /**
   * Reads the rules and keeps them, unless this instance made a change meanwhile (a read that began
   * before the change's commit may hold the old rules: keeping it would serve them for a while).
   */
  private async loadRules(): Promise<CachedRules> {
    const generation = this.generation;
    const [profiles, assignments, pauses] = await this.uow.sql((sql) =>
      sql.batch([
        { text: "select bot_id, tags from bot_profiles where tags <> '{}'" },
        {
          text: 'select id, target_kind, target, config_id, assigned_at, assigned_by from config_assignments order by id',
        },
        {
          text: 'select id, target_kind, target, paused_at, paused_by from fleet_pauses order by paused_at, id',
        },
      ]),
    );
    const rules: CachedRules = {
      tagsOf: new Map(
        (profiles as { bot_id: string; tags: string[] }[]).map((row) => [Number(row.bot_id), row.tags]),
      ),
      assignments: (
        assignments as {
          id: string;
          target_kind: 'bot' | 'tag';
          target: string;
          config_id: string;
          assigned_at: Date;
          assigned_by: string | null;
        }[]
      ).map((row) => ({
        id: Number(row.id),
        kind: row.target_kind,
        target: row.target,
        configId: Number(row.config_id),
        assignedAt: new Date(row.assigned_at).toISOString(),
        assignedBy: row.assigned_by,
      })),
      pauses: (
        pauses as {
          id: string;
          target_kind: 'fleet' | 'tag' | 'bot';
          target: string;
          paused_at: Date;
          paused_by: string | null;
        }[]
      ).map((row) => ({
        id: Number(row.id),
        kind: row.target_kind,
        target: row.target,
        pausedAt: new Date(row.paused_at).toISOString(),
        pausedBy: row.paused_by,
      })),
      loadedAt: Date.now(),
    };
    if (generation === this.generation) this.rules = rules;
    return rules;
  }

  /** Writes the polls remembered since the last flush, in one statement; a newer poll already stored wins. */
  flushPolls(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.polls.size === 0) return;
      const batch = [...this.polls.entries()];
      this.polls.clear();
      try {
        await this.uow.sql((sql) =>
          sql.query(
            // One statement: each bot's last poll, and its span of the version served (extended while the
            // version and pause state are the same, a new span when either changed).
            `with b as (select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::boolean[], $5::timestamptz[])
                          as b (bot_id, api_key_id, config_id, paused, polled_at)),
                  latest as (select b.bot_id, l.id, l.config_id, l.paused from b
                               left join lateral (select s.id, s.config_id, s.paused from bot_config_spans s
                                                   where s.bot_id = b.bot_id order by s.id desc limit 1) l on true),
                  extended as (update bot_config_spans s set last_seen_at = greatest(s.last_seen_at, b.polled_at)
                                 from b join latest l on l.bot_id = b.bot_id and l.config_id = b.config_id and l.paused = b.paused
                                where s.id = l.id returning s.id),
                  opened as (insert into bot_config_spans (bot_id, config_id, paused, started_at, last_seen_at)
                               select b.bot_id, b.config_id, b.paused, b.polled_at, b.polled_at
                                 from b join latest l on l.bot_id = b.bot_id
                                where l.id is null or l.config_id <> b.config_id or l.paused <> b.paused returning id)
             insert into bot_polls (bot_id, api_key_id, config_id, paused, polled_at)
             select bot_id, api_key_id, config_id, paused, polled_at from b
             on conflict (bot_id) do update set api_key_id = excluded.api_key_id, config_id = excluded.config_id,
                    paused = excluded.paused, polled_at = excluded.polled_at
              where bot_polls.polled_at < excluded.polled_at`,
            [
              batch.map(([bot]) => bot),
              batch.map(([, p]) => p.apiKeyId),
              batch.map(([, p]) => p.configId),
              batch.map(([, p]) => p.paused),
              batch.map(([, p]) => new Date(p.at).toISOString()),
            ],
          ),
        );
      } catch (error) {
        // Kept for the next flush unless a newer poll of the same bot came meanwhile.
        for (const [bot, poll] of batch) if (!this.polls.has(bot)) this.polls.set(bot, poll);
        this.logger.warn(
          { err: (error as Error).message, bots: batch.length },
          'could not record the bots’ config polls; retrying',
        );
      }
    });
    return this.flushing;
  }

  /**
   * How many bots polled GET /api/bot/config within the last `seconds` (GET /metrics): the stored
   * polls and those remembered since the last flush, each bot once.
   */
  async botsSeenWithin(seconds: number): Promise<number> {
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{ bot_id: string }>(
          'select bot_id from bot_polls where polled_at > now() - make_interval(secs => $1)',
          [seconds],
        ),
      { single: true },
    );
    const seen = new Set(rows.map((row) => Number(row.bot_id)));
    const since = Date.now() - seconds * 1000;
    for (const [bot, poll] of this.polls) if (poll.at > since) seen.add(bot);
    return seen.size;
  }

  /** Every bot (bot-scope keys, one per rotation chain) with its state, versions, pause and figures. */
  async bots(): Promise<BotView[]> {
    return (await this.overview()).bots;
  }

  /** The bots and the rules they were resolved with (one read of each, for the bots and the pauses). */
  private async overview(): Promise<{ bots: BotView[]; rules: CachedRules }> {
    await this.flushPolls();
    const now = Date.now();
    const midnight = new Date(now);
    midnight.setUTCHours(0, 0, 0, 0);
    const [keys, rules, runs, polls, recent] = await Promise.all([
      this.keys.list(),
      this.loadRules(),
      this.runs.byBot(),
      this.storedPolls(),
      this.pnl.realisedSince({ today: midnight, week: new Date(now - 7 * 86_400_000) }),
    ]);
    const [realised, realisedOpen] = await Promise.all([
      this.trades.realisedByBot(runs.runsOfBot),
      this.trades.realisedByBot(runs.openRunsOfBot),
    ]);
    const chains = new Map<number, typeof keys>();
    for (const key of keys) {
      if (key.scope !== 'bot') continue;
      const chain = chains.get(key.botId);
      if (chain) chain.push(key);
      else chains.set(key.botId, [key]);
    }
    const views: BotView[] = [];
    for (const [botId, chain] of chains) {
      const newest = chain[chain.length - 1];
      const active = chain.filter((k) => k.active);
      const resolution = resolveBot(botId, rules);
      const summary = runs.bots.get(botId);
      const poll = polls.get(botId) ?? null;
      const trade = realised.get(botId);
      const running = summary?.running ?? 0;
      const state = stateOf(resolution.pause !== null, running, summary?.lastUpdateAt ?? null, now);
      views.push({
        botId,
        name: newest.name,
        keyPrefix: (active[active.length - 1] ?? newest).prefix,
        keyActive: active.length > 0,
        tags: [...(rules.tagsOf.get(botId) ?? [])],
        state,
        runningRuns: running,
        runs: summary?.runs ?? 0,
        errorRuns: summary?.errors ?? 0,
        lastUpdateAt: summary?.lastUpdateAt ?? null,
        assignedConfigId: resolution.configId,
        assignmentRule: resolution.rule,
        paused: resolution.pause,
        lastServedConfigId: poll?.configId ?? null,
        lastServedPaused: poll?.paused ?? null,
        lastPolledAt: poll?.at ?? null,
        realisedPnl: trade?.pnl ?? '0',
        reportedPnl: summary?.reportedPnl ?? '0',
        realisedPnlToday: recent.get(botId)?.['today'] ?? '0',
        realisedPnl7d: recent.get(botId)?.['week'] ?? '0',
        unrealisedPnl:
          running > 0
            ? addDecimal(summary?.openReportedPnl ?? '0', realisedOpen.get(botId)?.pnl ?? '0', true)
            : null,
        walletBalance: summary?.walletBalance ?? null,
        lastMetrics: summary?.lastMetrics ?? null,
        orders: trade?.trades ?? 0,
        fills: trade?.filled ?? 0,
        failedOrders: trade?.failed ?? 0,
        fillRate:
          trade && trade.trades > 0 ? Math.round((trade.filled / trade.trades) * 10_000) / 10_000 : null,
      });
    }
    return { bots: views.sort((a, b) => a.botId - b.botId), rules };
  }

  async bot(botId: number): Promise<BotView> {
    const bot = (await this.bots()).find((b) => b.botId === botId);
    if (!bot)
      throw new NotFoundError(
        `No bot ${botId}: a bot is a bot-scope API key (its botId is in the API keys list).`,
      );
    return bot;
  }

  /** The versions a bot was served and when (newest first): one span per unbroken run of a version and pause state. */
  async configSpans(botId: number): Promise<ConfigSpanView[]> {
    await this.requireBot(botId);
    await this.flushPolls();
    const rows = await this.uow.sql((sql) =>
      sql.query<{ config_id: string; paused: boolean; started_at: Date; last_seen_at: Date }>(
        'select config_id, paused, started_at, last_seen_at from bot_config_spans where bot_id = $1 order by id desc limit $2',
        [botId, SPANS_SHOWN],
      ),
    );
    const versions = await this.configs.versionsById([...new Set(rows.map((r) => Number(r.config_id)))]);
    return rows.map((row) => ({
      configId: Number(row.config_id),
      note: versions.get(Number(row.config_id))?.note ?? null,
      paused: row.paused,
      from: new Date(row.started_at).toISOString(),
      lastSeenAt: new Date(row.last_seen_at).toISOString(),
    }));
  }

  /**
   * The spans of these bots that tell what each was served during [from, to): the one in force at
   * `from` (the latest begun at or before it) and every one begun after it and before `to`, each
   * bot's in time order. At most `limit` in all (`complete` false when there were more: the caller
   * narrows its range rather than cut with a part). The polls not yet written are written first.
   * Two index ranges per bot (bot_config_spans (bot_id, started_at)).
   */
  async spansOf(
    botIds: number[],
    from: Date,
    to: Date,
    limit: number,
  ): Promise<{ spans: Map<number, BotSpan[]>; complete: boolean }> {
    const spans = new Map<number, BotSpan[]>();
    if (botIds.length === 0) return { spans, complete: true };
    await this.flushPolls();
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{
          bot_id: string;
          config_id: string;
          paused: boolean;
          started_at: Date;
          last_seen_at: Date;
        }>(
          // The bots as one JSON text (an array parameter is spread inside an ORM transaction).
          `select s.bot_id, s.config_id, s.paused, s.started_at, s.last_seen_at
             from (select (jsonb_array_elements_text($1::jsonb))::bigint as bot_id) b
             cross join lateral (
               (select * from bot_config_spans p where p.bot_id = b.bot_id and p.started_at <= $2 order by p.started_at desc, p.id desc limit 1)
               union all
               (select * from bot_config_spans p where p.bot_id = b.bot_id and p.started_at > $2 and p.started_at < $3 order by p.started_at, p.id limit $4)
             ) s
            order by s.bot_id, s.started_at, s.id
            limit $4`,
          [JSON.stringify([...new Set(botIds)]), from.toISOString(), to.toISOString(), limit + 1],
        ),
      { single: true },
    );
    for (const row of rows.slice(0, limit)) {
      const botId = Number(row.bot_id);
      const list = spans.get(botId) ?? [];
      list.push({
        configId: Number(row.config_id),
        paused: row.paused,
        startedAt: new Date(row.started_at),
        lastSeenAt: new Date(row.last_seen_at),
      });
      spans.set(botId, list);
    }
    return { spans, complete: rows.length <= limit };
  }

  /**
   * What the bots hold now: per bot and market window, the net filled size and cost of each outcome,
   * the one-sided part (what a resolution against it would lose) and the time to expiry.
   */
  async exposure(botId: number | null = null): Promise<ExposureView[]> {
    const positions = await this.pnl.openPositions(botId);
    const expiry = await this.markets.expiryOf(
      [...new Set(positions.flatMap((p) => (p.conditionId ? [p.conditionId] : [])))],
      [...new Set(positions.flatMap((p) => p.tokenIds))],
    );
    const names = new Map(
      (await this.keys.list()).filter((k) => k.scope === 'bot').map((k) => [k.botId, k.name]),
    );
    const now = Date.now();
    const views = positions.map((position): ExposureView => {
      const size = (outcome: string) => position.outcomes.find((o) => o.outcome === outcome)?.size ?? '0';
      const cost = (outcome: string) => position.outcomes.find((o) => o.outcome === outcome)?.cost ?? '0';
      const up = size('Up');
      const down = size('Down');
      const upHeavy = compareDecimal(up, down) >= 0;
      const oneSided = addDecimal(upHeavy ? up : down, upHeavy ? down : up, true);
      const known = [position.conditionId, ...position.tokenIds].find(
        (key) => key !== null && expiry.has(key),
      );
      const expiresAt = known ? (expiry.get(known) ?? null) : null;
      const secondsToExpiry = expiresAt === null ? null : Math.round((expiresAt.getTime() - now) / 1000);
      return {
        botId: position.botId,
        botName: position.botId === null ? null : (names.get(position.botId) ?? null),
        market: position.market,
        conditionId: position.conditionId,
        asset: position.asset,
        window: position.window,
        up: { size: up, cost: cost('Up') },
        down: { size: down, cost: cost('Down') },
        other: position.outcomes
          .filter((o) => o.outcome !== 'Up' && o.outcome !== 'Down')
          .map((o) => ({ outcome: o.outcome, size: o.size, cost: o.cost })),
        hedged: upHeavy ? down : up,
        oneSided,
        oneSidedOutcome: compareDecimal(oneSided, '0') === 0 ? null : upHeavy ? 'Up' : 'Down',
        fills: position.outcomes.reduce((n, o) => n + o.fills, 0),
        lastFillAt: position.lastFillAt,
        expiresAt: expiresAt?.toISOString() ?? null,
        secondsToExpiry,
        atRisk:
          compareDecimal(oneSided, '0') > 0 &&
          secondsToExpiry !== null &&
          secondsToExpiry <= EXPOSURE_AT_RISK_SECONDS,
      };
    });
    // the windows about to expire first; unknown expiries last
    return views.sort(
      (a, b) =>
        (a.secondsToExpiry ?? Infinity) - (b.secondsToExpiry ?? Infinity) || (a.botId ?? 0) - (b.botId ?? 0),
    );
  }

  private async storedPolls(): Promise<Map<number, { configId: number; paused: boolean; at: string }>> {
    const rows = await this.uow.sql((sql) =>
      sql.query<{ bot_id: string; config_id: string; paused: boolean; polled_at: Date }>(
        'select bot_id, config_id, paused, polled_at from bot_polls',
      ),
    );
    return new Map(
      rows.map((row) => [
        Number(row.bot_id),
        { configId: Number(row.config_id), paused: row.paused, at: new Date(row.polled_at).toISOString() },
      ]),
    );
  }

  /** Replaces a bot's tags. */
  async setTags(botId: number, tags: string[]): Promise<BotView> {
    const clean = [...new Set(tags.map((t) => t.trim().toLowerCase()))];
    if (clean.length > MAX_TAGS)
      throw new BadInputError(`At most ${MAX_TAGS} tags per bot (got ${clean.length}).`);
    clean.forEach(checkTag);
    await this.requireBot(botId);
    await this.change(async (em, sql) => {
      const [before] = await sql.query<{ tags: string[] }>(
        'select tags from bot_profiles where bot_id = $1',
        [botId],
      );
      await sql.query(
        // The tags go as one JSON text: inside the ORM's transaction an array parameter would be spread.
        `insert into bot_profiles (bot_id, tags, updated_at)
         values ($1, array(select jsonb_array_elements_text($2::jsonb)), now())
         on conflict (bot_id) do update set tags = excluded.tags, updated_at = now()`,
        [botId, JSON.stringify(clean)],
      );
      await this.audit.record(em, {
        action: 'fleet.tags.updated',
        targetId: botId,
        before: { tags: before?.tags ?? [] },
        after: { tags: clean },
      });
      return new FleetChangedEvent('tags', botId, null, null);
    });
    return this.bot(botId);
  }

  async assignments(): Promise<AssignmentView[]> {
    return [...(await this.loadRules()).assignments];
  }

  /** Assigns a version to one bot or a tag (replacing the one it had). */
  async assign(target: { botId?: number; tag?: string }, configId: number): Promise<AssignmentView> {
    const { kind, value } = await this.target(target, false);
    if ((await this.configs.versionsById([configId])).size === 0)
      throw new NotFoundError(`No config version ${configId}.`);
    let assignment: Assignment | null = null;
    await this.change(async (em, sql) => {
      const [before] = await sql.query<{ config_id: string }>(
        'select config_id from config_assignments where target_kind = $1 and target = $2',
        [kind, value],
      );
      const [row] = await sql.query<{ id: string; assigned_at: Date; assigned_by: string | null }>(
        `insert into config_assignments (target_kind, target, config_id, assigned_at, assigned_by) values ($1, $2, $3, now(), $4)
         on conflict (target_kind, target) do update set config_id = excluded.config_id, assigned_at = now(), assigned_by = excluded.assigned_by
         returning id, assigned_at, assigned_by`,
        [kind, value, configId, actorName()],
      );
      assignment = {
        id: Number(row.id),
        kind: kind === 'bot' ? 'bot' : 'tag',
        target: value,
        configId,
        assignedAt: new Date(row.assigned_at).toISOString(),
        assignedBy: row.assigned_by,
      };
      await this.audit.record(em, {
        action: 'fleet.assigned',
        targetId: `${kind}:${value}`,
        before: before ? { configId: Number(before.config_id) } : null,
        after: { configId },
      });
      return changed('assigned', kind, value, configId);
    });
    if (!assignment) throw new Error('the assignment was not written');
    return assignment;
  }

  /** Removes an assignment: its bots go back to their tag's version or the fleet default. */
  async unassign(id: number): Promise<void> {
    await this.change(async (em, sql) => {
      const [row] = await sql.query<{ target_kind: 'bot' | 'tag'; target: string; config_id: string }>(
        'delete from config_assignments where id = $1 returning target_kind, target, config_id',
        [id],
      );
      if (!row) throw new NotFoundError(`No config assignment ${id}.`);
      await this.audit.record(em, {
        action: 'fleet.unassigned',
        targetId: `${row.target_kind}:${row.target}`,
        before: { configId: Number(row.config_id) },
        after: null,
      });
      return changed('unassigned', row.target_kind, row.target, null);
    });
  }

  /** Pauses the fleet, a tag or one bot (a state over the served config; no new version). */
  async pause(target: PauseTargetDto): Promise<PauseView> {
    const { kind, value } = await this.target(target, true);
    await this.change(async (em, sql) => {
      await sql.query(
        `insert into fleet_pauses (target_kind, target, paused_at, paused_by) values ($1, $2, now(), $3)
         on conflict (target_kind, target) do nothing`,
        [kind, value, actorName()],
      );
      await this.audit.record(em, {
        action: 'fleet.paused',
        targetId: `${kind}:${value}`,
        before: null,
        after: { paused: true },
      });
      return changed('paused', kind, value, null);
    });
    const view = (await this.pauses()).find((p) => p.kind === kind && p.target === value);
    if (!view)
      throw new NotFoundError(
        `The pause of ${kind === 'fleet' ? 'the fleet' : `${kind} ${value}`} was lifted meanwhile.`,
      );
    return view;
  }

  async resume(target: PauseTargetDto): Promise<void> {
    const { kind, value } = await this.target(target, true);
    await this.change(async (em, sql) => {
      const [row] = await sql.query<{ paused_at: Date }>(
        'delete from fleet_pauses where target_kind = $1 and target = $2 returning paused_at',
        [kind, value],
      );
      if (!row)
        throw new NotFoundError(
          `Nothing to resume: ${kind === 'fleet' ? 'the fleet is' : `${kind} ${value} is`} not paused.`,
        );
      await this.audit.record(em, {
        action: 'fleet.resumed',
        targetId: `${kind}:${value}`,
        before: { paused: true, pausedAt: new Date(row.paused_at).toISOString() },
        after: { paused: false },
      });
      return changed('resumed', kind, value, null);
    });
  }

  /**
   * The pauses in force and who has picked each up: a bot covered by a pause has fetched it once a
   * poll after the pause was answered with `pauseOrders: true`.
   */
  async pauses(): Promise<PauseView[]> {
    const { bots, rules } = await this.overview();
    return rules.pauses.map((pause) => {
      const covered = bots.filter((bot) => bot.keyActive && pauseCovers(pause, bot.botId, bot.tags));
      const fetched = covered.filter(
        (bot) =>
          bot.lastServedPaused === true && bot.lastPolledAt !== null && bot.lastPolledAt >= pause.pausedAt,
      );
      return {
        ...pause,
        bots: covered.length,
        fetched: fetched.length,
        waiting: covered
          .filter((bot) => !fetched.includes(bot))
          .map((bot) => ({ botId: bot.botId, name: bot.name, lastPolledAt: bot.lastPolledAt })),
      };
    });
  }

  private async requireBot(botId: number): Promise<void> {
    const keys = await this.keys.list();
    if (!keys.some((k) => k.scope === 'bot' && k.botId === botId))
      throw new NotFoundError(
        `No bot ${botId}: a bot is a bot-scope API key (its botId is in the API keys list).`,
      );
  }

  private async target(
    target: { scope?: string; botId?: number; tag?: string },
    fleetAllowed: boolean,
  ): Promise<{ kind: 'fleet' | 'bot' | 'tag'; value: string }> {
    const given = [target.botId !== undefined, target.tag !== undefined].filter(Boolean).length;
    if (fleetAllowed && target.scope === 'fleet') {
      if (given) throw new BadInputError('scope "fleet" takes neither botId nor tag.');
      return { kind: 'fleet', value: '' };
    }
    if (given !== 1)
      throw new BadInputError(
        fleetAllowed
          ? 'Give scope "fleet", or exactly one of botId and tag.'
          : 'Give exactly one of botId and tag.',
      );
    if (target.botId !== undefined) {
      await this.requireBot(target.botId);
      return { kind: 'bot', value: String(target.botId) };
    }
    const tag = (target.tag ?? '').trim().toLowerCase();
    checkTag(tag);
    return { kind: 'tag', value: tag };
  }

  /** One admin change in a transaction with its audit entry; the event goes out after the commit. */
  private async change(work: (em: EntityManager, sql: Sql) => Promise<FleetChangedEvent>): Promise<void> {
    await this.uow.run(async (em) => {
      const event = await work(em, sqlOf(em));
      this.uow.publish(event);
    });
    // this instance serves the change at its bots' next poll: rules read before it are dropped
    this.generation += 1;
    this.rules = null;
  }
}

function actorName(): string | null {
  const principal = currentActor()?.principal;
  return principal ? principal.name : null;
}

/** Refuses a tag that is not 1 to 40 of a-z, 0-9, '.', '_', ':' and '-' (starting with a letter or digit). */
function checkTag(tag: string): void {
  if (!TAG_PATTERN.test(tag))
    throw new BadInputError(
      `Tag "${tag.slice(0, 60)}" is not valid: 1 to 40 of a-z, 0-9, '.', '_', ':' and '-', starting with a letter or digit.`,
    );
}

/** The event of a change to a bot, a tag or the whole fleet. */
function changed(
  change: FleetChangedEvent['change'],
  kind: 'fleet' | 'bot' | 'tag',
  value: string,
  configId: number | null,
): FleetChangedEvent {
  return new FleetChangedEvent(
    change,
    kind === 'bot' ? Number(value) : null,
    kind === 'tag' ? value : null,
    configId,
  );
}

/** A bot's state: paused over everything, else idle without an open run, stale when its runs are silent. */
function stateOf(paused: boolean, running: number, lastUpdateAt: string | null, now: number): BotState {
  if (paused) return 'paused';
  if (running === 0) return 'idle';
  return lastUpdateAt !== null && now - Date.parse(lastUpdateAt) > BOT_STALE_MS ? 'stale' : 'running';
}
