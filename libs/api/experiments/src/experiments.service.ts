import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { compareVersions, VersionFigures, VersionTimeService } from '@polymaker/api/analysis';
import { AuditService, currentActor } from '@polymaker/api/audit';
import { ConfigService } from '@polymaker/api/config';
import {
  addDecimal,
  BadInputError,
  ConflictError,
  ExperimentChangedEvent,
  NotFoundError,
  sqlOf,
  UnitOfWork,
} from '@polymaker/api/core';
import { FleetService } from '@polymaker/api/fleet';
import type {
  CreateExperimentDto,
  ExperimentResultView,
  ExperimentView,
  PromoteDto,
} from './dto/experiment.dto';

/** The experiments listed (newest first). */
const EXPERIMENTS_LISTED = 100;

interface ExperimentRow {
  id: string;
  name: string;
  config_ids: string[];
  bot_ids: string[];
  status: 'running' | 'stopped' | 'promoted';
  started_at: Date;
  ended_at: Date | null;
  created_by: string | null;
  source_analysis_id: string | null;
  promoted_config_id: string | null;
  promoted_to: string | null;
}

const COLUMNS =
  'id, name, config_ids, bot_ids, status, started_at, ended_at, created_by, source_analysis_id, promoted_config_id, promoted_to';

/**
 * Experiments: two or more config versions compared over the segments run with them since the
 * experiment started (assigned to different bots or tags, or alternated over time on the same bots),
 * with the statistics of compareVersions, and the winner promoted as the fleet default or a tag's
 * version in one audited action. Owns the experiments table.
 */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly configs: ConfigService,
    private readonly fleet: FleetService,
    private readonly versionTime: VersionTimeService,
  ) {}

  async list(): Promise<ExperimentView[]> {
    const rows = await this.uow.sql((sql) =>
      sql.query<ExperimentRow>(`select ${COLUMNS} from experiments order by id desc limit $1`, [
        EXPERIMENTS_LISTED,
      ]),
    );
    return rows.map(toView);
  }

  /** Starts an experiment: checks its versions and bots, makes its assignments, records it (audited). */
  async create(body: CreateExperimentDto): Promise<ExperimentView> {
    const versions = await this.configs.versionsById(body.configIds);
    const missing = body.configIds.filter((id) => !versions.has(id));
    if (missing.length)
      throw new NotFoundError(
        `No config version ${missing.join(', ')}: an experiment compares existing versions.`,
      );
    const botIds = body.botIds ?? [];
    if (botIds.length) {
      const known = new Set((await this.fleet.bots()).map((b) => b.botId));
      const unknown = botIds.filter((id) => !known.has(id));
      if (unknown.length)
        throw new NotFoundError(
          `No bot ${unknown.join(', ')}: a bot is a bot-scope API key (GET /api/v1/bots).`,
        );
    }
    for (const [i, a] of (body.assign ?? []).entries()) {
      if (!body.configIds.includes(a.configId)) {
        throw new BadInputError(
          `assign[${i}]: v${a.configId} is not one of the experiment's versions (${body.configIds.map((id) => `v${id}`).join(', ')}).`,
          [{ field: `assign.${i}.configId`, message: 'not one of configIds' }],
        );
      }
      if ((a.botId === undefined) === (a.tag === undefined))
        throw new BadInputError(`assign[${i}]: give exactly one of botId and tag.`, [
          { field: `assign.${i}`, message: 'give botId or tag' },
        ]);
    }
    for (const a of body.assign ?? []) await this.fleet.assign({ botId: a.botId, tag: a.tag }, a.configId);
    let created: ExperimentRow | null = null;
    await this.uow.run(async (em) => {
      const [row] = await sqlOf(em).query<ExperimentRow>(
        // arrays as JSON text: inside the ORM's transaction an array parameter would be spread
        `insert into experiments (name, config_ids, bot_ids, created_by, source_analysis_id)
         values ($1, array(select jsonb_array_elements_text($2::jsonb))::bigint[], array(select jsonb_array_elements_text($3::jsonb))::bigint[], $4, $5)
         returning ${COLUMNS}`,
        [
          body.name,
          JSON.stringify(body.configIds),
          JSON.stringify(botIds),
          actorName(),
          body.sourceAnalysisId ?? null,
        ],
      );
      created = row;
      await this.audit.record(em, {
        action: 'experiment.started',
        targetId: Number(row.id),
        before: null,
        after: { name: body.name, configIds: body.configIds, botIds, assign: body.assign ?? [] },
      });
      this.uow.publish(new ExperimentChangedEvent(Number(row.id), 'started', null));
    });
    if (!created) throw new Error('the experiment was not written');
    return toView(created);
  }

  /** The experiment with its figures: each version over its segments since it started, against the baseline. */
  async get(id: number): Promise<ExperimentResultView> {
    const row = await this.find(id);
    const experiment = toView(row);
    const until = experiment.endedAt ? new Date(experiment.endedAt) : new Date();
    const segments = await this.versionTime.segmentFigures({
      from: new Date(experiment.startedAt),
      to: until,
      botIds: experiment.botIds.length ? experiment.botIds : null,
    });
    const versions: VersionFigures[] = experiment.configIds.map((configId) => ({
      configId,
      segments: segments
        .filter((s) => s.configId === configId && !s.paused && s.hours > 0)
        .map((s) => ({
          runId: s.runId,
          hours: s.hours,
          pnl: Number(s.realisedPnl),
          orders: s.orders,
          fills: s.fills,
          maxDrawdown: Number(s.maxDrawdown ?? 0),
          scores: s.scores,
        })),
    }));
    const result = compareVersions(versions, id);
    const notes = await this.configs.versionsById(experiment.configIds);
    return {
      ...experiment,
      method: result.method,
      window: `${experiment.botIds.length ? `bots ${experiment.botIds.join(', ')}` : 'every bot'}, from ${experiment.startedAt} to ${experiment.endedAt ?? 'now'}`,
      versions: result.versions.map((v) => ({
        ...v,
        note: notes.get(v.configId)?.note ?? null,
        // the exact sum, not the float the statistics used
        pnl: segments
          .filter((s) => s.configId === v.configId && !s.paused && s.hours > 0)
          .reduce((total, s) => addDecimal(total, s.realisedPnl), '0'),
      })),
      comparisons: result.comparisons,
    };
  }

  async stop(id: number): Promise<ExperimentView> {
    return this.change(id, 'stopped', async (em, row) => {
      if (row.status !== 'running') throw new ConflictError(`Experiment ${id} is ${row.status} already.`);
      const [updated] = await sqlOf(em).query<ExperimentRow>(
        `update experiments set status = 'stopped', ended_at = now() where id = $1 returning ${COLUMNS}`,
        [id],
      );
      await this.audit.record(em, {
        action: 'experiment.stopped',
        targetId: id,
        before: { status: row.status },
        after: { status: 'stopped' },
      });
      return { row: updated, configId: null };
    });
  }

  /** Makes the winner the fleet default (activates it) or a tag's version, ends the experiment; audited. */
  async promote(id: number, body: PromoteDto): Promise<ExperimentView> {
    const row = await this.find(id);
    if (!row.config_ids.map(Number).includes(body.configId)) {
      throw new BadInputError(
        `v${body.configId} is not one of experiment ${id}'s versions (${row.config_ids.map((c) => `v${c}`).join(', ')}).`,
        [{ field: 'configId', message: 'not one of its versions' }],
      );
    }
    if (row.status === 'promoted')
      throw new ConflictError(
        `Experiment ${id} was promoted already (v${row.promoted_config_id} to ${row.promoted_to}).`,
      );
    if (body.to === 'tag' && !body.tag)
      throw new BadInputError('Give the tag to promote to.', [
        { field: 'tag', message: 'required with to: tag' },
      ]);
    if (body.to === 'fleet') await this.configs.activate(body.configId);
    else await this.fleet.assign({ tag: body.tag }, body.configId);
    const target = body.to === 'fleet' ? 'fleet' : `tag:${(body.tag ?? '').trim().toLowerCase()}`;
    return this.change(id, 'promoted', async (em, current) => {
      const [updated] = await sqlOf(em).query<ExperimentRow>(
        `update experiments set status = 'promoted', ended_at = coalesce(ended_at, now()), promoted_config_id = $2, promoted_to = $3 where id = $1 returning ${COLUMNS}`,
        [id, body.configId, target],
      );
      await this.audit.record(em, {
        action: 'experiment.promoted',
        targetId: id,
        before: { status: current.status },
        after: { status: 'promoted', configId: body.configId, to: target },
      });
      return { row: updated, configId: body.configId };
    });
  }

  private async change(
    id: number,
    change: 'stopped' | 'promoted',
    work: (em: EntityManager, row: ExperimentRow) => Promise<{ row: ExperimentRow; configId: number | null }>,
  ): Promise<ExperimentView> {
    let result: ExperimentRow | null = null;
    await this.uow.run(async (em) => {
      const [row] = await sqlOf(em).query<ExperimentRow>(
        `select ${COLUMNS} from experiments where id = $1 for update`,
        [id],
      );
      if (!row) throw notFound(id);
      const done = await work(em, row);
      result = done.row;
      this.uow.publish(new ExperimentChangedEvent(id, change, done.configId));
    });
    if (!result) throw notFound(id);
    return toView(result);
  }

  private async find(id: number): Promise<ExperimentRow> {
    const [row] = await this.uow.sql((sql) =>
      sql.query<ExperimentRow>(`select ${COLUMNS} from experiments where id = $1`, [id]),
    );
    if (!row) throw notFound(id);
    return row;
  }
}

function toView(row: ExperimentRow): ExperimentView {
  return {
    id: Number(row.id),
    name: row.name,
    configIds: row.config_ids.map(Number),
    botIds: row.bot_ids.map(Number),
    status: row.status,
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
    createdBy: row.created_by,
    sourceAnalysisId: row.source_analysis_id === null ? null : Number(row.source_analysis_id),
    promotedConfigId: row.promoted_config_id === null ? null : Number(row.promoted_config_id),
    promotedTo: row.promoted_to,
  };
}

function notFound(id: number): NotFoundError {
  return new NotFoundError(`No experiment ${id}.`);
}

function actorName(): string | null {
  return currentActor()?.principal?.name ?? null;
}
