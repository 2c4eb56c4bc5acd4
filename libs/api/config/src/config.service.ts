import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import {
  BadInputError,
  ConfigActivatedEvent,
  ConflictError,
  NotFoundError,
  Sql,
  UnitOfWork,
} from '@polymaker/api/core';
import { AuditService } from '@polymaker/api/audit';
import { isDeepStrictEqual } from 'node:util';
import type {
  ActivationPreviewView,
  ConfigActivationView,
  ConfigDiffEntryView,
  ConfigDiffView,
  ConfigValidationView,
  ConfigVersionView,
} from './dto/config.dto';
import { ActivationAction, ConfigActivation } from './entities/config-activation.entity';
import { ConfigSource, ConfigVersion } from './entities/config-version.entity';
import { ConfigValues, defaultConfigValues } from './schema/config-schema';
import { copyOwn, ownValue, setOwn } from './schema/own-keys';
import { validateConfig } from './schema/validate-config';

/** The bot's view of the active config: its JSON text is what GET /api/bot/config sends. */
export interface ActiveConfigSnapshot {
  id: number;
  json: string;
  pauseOrders: boolean;
  loadedAt: number;
}

export interface NewConfigVersion {
  values: Record<string, unknown>;
  basedOnId?: number;
  note?: string;
  source?: ConfigSource;
  analysisId?: number;
}

/** How long another instance may serve a superseded config; this instance refreshes at once. */
const ACTIVE_CACHE_MS = 1_000;
/**
 * While a refresh waits for the database (a burst of writes queued ahead of it for a connection), the
 * bots' polls get the snapshot of a moment ago instead of waiting with it, for at most this long.
 */
const ACTIVE_STALE_MS = 30_000;
/** Config ids known to exist (versions are never deleted); cleared when full. */
const KNOWN_IDS_MAX = 10_000;

/** Where a config version came from. */
export interface ConfigOrigin {
  note: string | null;
  source: string;
  basedOnId: number | null;
  analysisId: number | null;
}

@Injectable()
export class ConfigService {
  private readonly logger = new Logger(ConfigService.name);
  private active: ActiveConfigSnapshot | null = null;
  private loading: Promise<ActiveConfigSnapshot | null> | null = null;
  private readonly knownIds = new Set<number>();
  /** Versions are immutable: the bot's JSON of each version served to an assigned bot, kept (bounded). */
  private readonly versionJson = new Map<number, { json: string; paused: string; pauseOrders: boolean }>();
  /** The values of versions read by valuesCached (versions never change). */
  private readonly versionValues = new Map<number, Record<string, unknown>>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** A fresh database gets version 1 from the schema's defaults, active, so a new bot can start at once. */
  async ensureInitialVersion(): Promise<void> {
    await this.uow.run(async (em) => {
      await em.execute("select pg_advisory_xact_lock(hashtextextended('config-initial', 0))");
      if ((await em.count(ConfigVersion, {})) > 0) return;
      const first = em.create(ConfigVersion, {
        values: defaultConfigValues(),
        source: 'defaults',
        note: 'Schema defaults',
        isActive: true,
      } as ConfigVersion);
      await em.persist(first).flush();
      em.persist(em.create(ConfigActivation, { configId: first.id, action: 'initial' } as ConfigActivation));
      await em.flush();
      this.logger.log({ configId: first.id }, 'created config version 1 from the schema defaults');
    });
  }

  /**
   * The active config for bots, from memory; refreshed at most every second. Past the second the
   * refresh starts and the poll gets the last snapshot meanwhile (up to ACTIVE_STALE_MS old), so a
   * bot's poll does not queue behind a burst of writes; an activation on this instance clears the
   * snapshot, so its own polls wait for the new version.
   */
  async activeSnapshot(): Promise<ActiveConfigSnapshot | null> {
    const cached = this.active;
    const now = Date.now();
    if (cached && cached.loadedAt > now - ACTIVE_CACHE_MS) return cached;
    if (!this.loading) {
      this.loading = this.loadActive().finally(() => (this.loading = null));
      this.loading.catch(() => undefined); // a refresh nobody waits for fails quietly; a waiting poll sees it
    }
    if (cached && cached.loadedAt > now - ACTIVE_STALE_MS) return cached;
    return this.loading;
  }

  private async loadActive(): Promise<ActiveConfigSnapshot | null> {
    const version = await this.uow.read((em) => em.findOne(ConfigVersion, { isActive: true }));
    this.active = version
      ? {
          id: version.id,
          json: botJson(version),
          pauseOrders: ownValue(version.values, 'pauseOrders') === true,
          loadedAt: Date.now(),
        }
      : null;
    return this.active;
  }

  /**
   * The bot's JSON of one version (`GET /api/bot/config`'s body when it is assigned to the bot), as
   * sent and with `pauseOrders: true` laid over it (a pause of the fleet, a tag or the bot); null when
   * no such version. Cached: versions never change.
   */
  async servedJson(id: number, paused: boolean): Promise<{ json: string; pauseOrders: boolean } | null> {
    let entry = this.versionJson.get(id);
    if (!entry) {
      const version = await this.uow.read((em) => em.findOne(ConfigVersion, { id }));
      if (!version) return null;
      if (this.versionJson.size >= KNOWN_IDS_MAX) this.versionJson.clear();
      entry = {
        json: botJson(version),
        paused: botJson(version, true),
        pauseOrders: ownValue(version.values, 'pauseOrders') === true,
      };
      this.versionJson.set(id, entry);
    }
    return paused
      ? { json: entry.paused, pauseOrders: true }
      : { json: entry.json, pauseOrders: entry.pauseOrders };
  }

  /** Versions by id (for views naming them); unknown ids are left out. */
  async versionsById(
    ids: number[],
  ): Promise<Map<number, { id: number; note: string | null; createdAt: string }>> {
    if (ids.length === 0) return new Map();
    const versions = await this.uow.read((em) => em.find(ConfigVersion, { id: { $in: ids } }));
    return new Map(
      versions.map((v) => [v.id, { id: v.id, note: v.note ?? null, createdAt: v.createdAt.toISOString() }]),
    );
  }

  /**
   * Whether a config version with this id exists. Versions are never deleted, so an id once found is
   * remembered (a bounded set): a bot's run/start naming its config costs no query after the first.
   */
  async versionExists(sql: Sql, id: number): Promise<boolean> {
    if (this.knownIds.has(id)) return true;
    const [row] = await sql.query<{ found: boolean }>(
      'select exists(select 1 from config_versions where id = $1) as found',
      [id],
    );
    if (row.found) {
      if (this.knownIds.size >= KNOWN_IDS_MAX) this.knownIds.clear();
      this.knownIds.add(id);
    }
    return row.found;
  }

  async list(): Promise<ConfigVersionView[]> {
    const versions = await this.uow.read((em) => em.find(ConfigVersion, {}, { orderBy: { id: 'desc' } }));
    return versions.map(toView);
  }

  async get(id: number): Promise<ConfigVersionView> {
    return toView(await this.uow.read((em) => this.find(em, id)));
  }

  async getActive(): Promise<ConfigVersionView> {
    const version = await this.uow.read((em) => em.findOne(ConfigVersion, { isActive: true }));
    if (!version) throw new NotFoundError('No config version is active. Activate one under Configs.');
    return toView(version);
  }

  /**
   * A run's config values for the analysis, in the caller's transaction: the version the run named,
   * else the active one (`assumed`: the run named none).
   */
  async valuesFor(
    em: EntityManager,
    configId: number | null,
  ): Promise<{ id: number | null; values: Record<string, unknown>; assumed: boolean }> {
    const version = await em.findOne(
      ConfigVersion,
      configId === null ? { isActive: true } : { id: configId },
    );
    return version
      ? { id: version.id, values: version.values, assumed: configId === null }
      : { id: null, values: {}, assumed: true };
  }

  /**
   * Like valuesFor, in the caller's plain-SQL transaction and remembered: versions never change, so a
   * run/stop scoring against its config's maxLossPct reads each version once (a bounded cache). With
   * no id, the active version (from the active snapshot).
   */
  async valuesCached(
    sql: Sql,
    configId: number | null,
  ): Promise<{ id: number | null; values: Record<string, unknown>; assumed: boolean }> {
    const id = configId ?? (await this.activeSnapshot())?.id ?? null;
    if (id === null) return { id: null, values: {}, assumed: true };
    let values = this.versionValues.get(id);
    if (!values) {
      const [row] = await sql.query<{ config_values: Record<string, unknown> }>(
        'select config_values from config_versions where id = $1',
        [id],
      );
      if (!row) return { id: null, values: {}, assumed: true };
      values = row.config_values;
      if (this.versionValues.size >= KNOWN_IDS_MAX) this.versionValues.clear();
      this.versionValues.set(id, values);
    }
    return { id, values, assumed: configId === null };
  }

  /** Where these versions came from (note, source, parent, analysis), for the analysis comparison. */
  async originsOf(em: EntityManager, ids: number[]): Promise<Map<number, ConfigOrigin>> {
    if (ids.length === 0) return new Map();
    const versions = await em.find(
      ConfigVersion,
      { id: { $in: ids } },
      { fields: ['id', 'note', 'source', 'basedOnId', 'analysisId'] },
    );
    return new Map(
      versions.map((v) => [
        v.id,
        { note: v.note, source: v.source, basedOnId: v.basedOnId, analysisId: v.analysisId },
      ]),
    );
  }

  async activations(limit = 100): Promise<ConfigActivationView[]> {
    const rows = await this.uow.read((em) =>
      em.find(ConfigActivation, {}, { orderBy: { id: 'desc' }, limit }),
    );
    return rows.map((row) => ({
      id: row.id,
      configId: row.configId,
      previousConfigId: row.previousConfigId,
      action: row.action,
      at: row.at.toISOString(),
    }));
  }

  validate(values: unknown): ConfigValidationView {
    return validateConfig(values);
  }

  /**
   * Creates a new (inactive) version: from scratch, or as changes on top of an earlier version.
   * `audit: false` is for a caller that records the whole change itself (pause/resume, applied
   * suggestions), in the same transaction, as one entry.
   */
  async create(input: NewConfigVersion, options: { audit?: boolean } = {}): Promise<ConfigVersionView> {
    return this.uow.run(async (em) => {
      let merged: Record<string, unknown> = input.values;
      if (input.basedOnId !== undefined) {
        const base = await this.find(em, input.basedOnId);
        merged = copyOwn(base.values) as Record<string, unknown>;
        for (const key of Object.keys(input.values)) {
          const value = input.values[key];
          if (value === null) delete merged[key];
          else setOwn(merged, key, value); // own property: `constructor` is kept, `__proto__` reaches the validator
        }
      }
      const checked = validateConfig(merged);
      if (!checked.valid) {
        const summary = checked.problems.map((p) => `${p.field} ${p.message}`).join('; ');
        throw new BadInputError(`Invalid config: ${summary}.`, checked.problems);
      }
      const version = em.create(ConfigVersion, {
        values: checked.values,
        note: input.note ?? null,
        source: input.source ?? 'admin',
        basedOnId: input.basedOnId ?? null,
        analysisId: input.analysisId ?? null,
      } as ConfigVersion);
      await em.persist(version).flush();
      if (options.audit === false) return toView(version);
      await this.audit.record(em, {
        action: 'config.created',
        targetId: version.id,
        before: null,
        after: {
          configId: version.id,
          source: version.source,
          basedOnId: version.basedOnId,
          analysisId: version.analysisId,
          note: version.note,
          values: version.values,
        },
      });
      return toView(version);
    });
  }

  async activate(id: number, action: ActivationAction = 'activate'): Promise<ConfigVersionView> {
    const view = await this.uow.run(async (em) => {
      await em.execute("select pg_advisory_xact_lock(hashtextextended('config-activate', 0))");
      const target = await this.find(em, id);
      const current = await em.findOne(ConfigVersion, { isActive: true });
      if (current?.id === target.id) return toView(target);
      if (current) {
        current.isActive = false;
        await em.flush(); // the partial unique index allows one active version at a time
      }
      target.isActive = true;
      em.persist(
        em.create(ConfigActivation, {
          configId: target.id,
          previousConfigId: current?.id ?? null,
          action,
        } as ConfigActivation),
      );
      await em.flush();
      const changes = diffValues(current?.values ?? {}, target.values);
      await this.audit.record(em, {
        action: AUDIT_BY_ACTIVATION[action],
        targetId: target.id,
        before: { activeConfigId: current?.id ?? null, values: pick(current?.values ?? {}, changes) },
        after: { activeConfigId: target.id, values: pick(target.values, changes) },
      });
      this.uow.publish(
        new ConfigActivatedEvent(
          target.id,
          current?.id ?? null,
          action,
          target.values['pauseOrders'] === true,
        ),
      );
      return toView(target);
    });
    this.active = null;
    this.logger.log({ configId: id, action }, 'config version activated');
    return view;
  }

  /** Activates an earlier version: the one named, or the one active before the current one. */
  async rollback(toVersion?: number): Promise<ConfigVersionView> {
    return this.activate(await this.rollbackTarget(toVersion), 'rollback');
  }

  private async rollbackTarget(toVersion?: number): Promise<number> {
    if (toVersion !== undefined) return toVersion;
    const current = await this.getActive();
    const last = await this.uow.read((em) =>
      em.findOne(
        ConfigActivation,
        { configId: current.id, previousConfigId: { $ne: null } },
        { orderBy: { id: 'desc' } },
      ),
    );
    if (!last?.previousConfigId)
      throw new ConflictError('There is no earlier active version to roll back to.');
    return last.previousConfigId;
  }

  /**
   * What activating `id` would change for the bots: its diff against the active version, and
   * whether `mode` or `pauseOrders` changes, so the admin app can ask for confirmation naming them.
   */
  async activationPreview(id: number): Promise<ActivationPreviewView> {
    return this.uow.read(async (em) => {
      const target = await this.find(em, id);
      const current = await em.findOne(ConfigVersion, { isActive: true });
      return preview(target, current);
    });
  }

  /** The same preview for a rollback (default target: the version active before the current one). */
  async rollbackPreview(toVersion?: number): Promise<ActivationPreviewView> {
    return this.activationPreview(await this.rollbackTarget(toVersion));
  }

  /** The remote brake: a new version of the active config with pauseOrders set, activated at once. */
  async setPaused(paused: boolean): Promise<ConfigVersionView> {
    return this.uow.run(async (em) => {
      // One transaction for the new version, its activation and their audit entries.
      await em.execute("select pg_advisory_xact_lock(hashtextextended('config-activate', 0))");
      const current = await em.findOne(ConfigVersion, { isActive: true });
      if (!current) throw new NotFoundError('No config version is active. Activate one under Configs.');
      if ((current.values['pauseOrders'] === true) === paused) return toView(current);
      const next = await this.create(
        {
          values: { pauseOrders: paused },
          basedOnId: current.id,
          note: paused ? 'Orders paused from the Command Center' : 'Orders resumed from the Command Center',
          source: paused ? 'pause' : 'resume',
        },
        { audit: false },
      ); // the activation's entry (config.paused / config.resumed) says it all
      return this.activate(next.id, paused ? 'pause' : 'resume');
    });
  }

  async diff(fromId: number, toId: number): Promise<ConfigDiffView> {
    const [from, to] = await this.uow.read((em) => Promise.all([this.find(em, fromId), this.find(em, toId)]));
    return { from: fromId, to: toId, changes: diffValues(from.values, to.values) };
  }

  private async find(em: EntityManager, id: number): Promise<ConfigVersion> {
    const version = await em.findOne(ConfigVersion, { id });
    if (!version) throw new NotFoundError(`Config version ${id} does not exist.`);
    return version;
  }
}

export function diffValues(from: ConfigValues, to: ConfigValues): ConfigDiffEntryView[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const changes: ConfigDiffEntryView[] = [];
  for (const key of keys) {
    const a = ownValue(from, key) ?? null; // own keys only: a key named `constructor` is a config key
    const b = ownValue(to, key) ?? null;
    if (isDeepStrictEqual(a, b)) continue;
    changes.push({ key, change: a === null ? 'added' : b === null ? 'removed' : 'changed', from: a, to: b });
  }
  return changes;
}

const AUDIT_BY_ACTIVATION = {
  initial: 'config.activated',
  activate: 'config.activated',
  rollback: 'config.rolled-back',
  pause: 'config.paused',
  resume: 'config.resumed',
} as const satisfies Record<ActivationAction, string>;

/** The values of the keys a diff names (absent keys as null), for an audit entry's before/after. */
function pick(values: ConfigValues, changes: ConfigDiffEntryView[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const change of changes) setOwn(out, change.key, ownValue(values, change.key) ?? null);
  return out;
}

function preview(target: ConfigVersion, current: ConfigVersion | null): ActivationPreviewView {
  const before = current?.values ?? {};
  const changes = diffValues(before, target.values);
  const modeOf = (values: ConfigValues) => ownValue(values, 'mode') ?? null;
  const pausedOf = (values: ConfigValues) => values['pauseOrders'] === true;
  const mode = { from: modeOf(before), to: modeOf(target.values) };
  const pauseOrders = { from: pausedOf(before), to: pausedOf(target.values) };
  return {
    configId: target.id,
    activeConfigId: current?.id ?? null,
    alreadyActive: current?.id === target.id,
    changes,
    changedKeys: changes.map((change) => change.key),
    changesMode: !isDeepStrictEqual(mode.from, mode.to),
    mode,
    changesPauseOrders: pauseOrders.from !== pauseOrders.to,
    pauseOrders,
  };
}

function toView(version: ConfigVersion): ConfigVersionView {
  return {
    id: version.id,
    version: version.id,
    values: version.values,
    note: version.note,
    source: version.source,
    basedOnId: version.basedOnId,
    analysisId: version.analysisId,
    createdAt: version.createdAt.toISOString(),
    isActive: version.isActive,
  };
}

/** GET /api/bot/config's body for a version: its values as one flat object with its id (and `pauseOrders: true` laid over it). */
function botJson(version: ConfigVersion, paused = false): string {
  return JSON.stringify(
    paused ? { ...version.values, pauseOrders: true, id: version.id } : { ...version.values, id: version.id },
  );
}
