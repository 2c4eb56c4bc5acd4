import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { BadInputError, UnitOfWork } from '@polymaker/api/core';
import { AUDIT_ACTIONS, AuditAction } from './audit-actions';
import { currentActor } from './audit-context';
import type { AuditEntryView, AuditPageView, AuditQueryDto } from './dto/audit.dto';
import { AuditEntry } from './entities/audit-entry.entity';
import { redact } from './redact';

export interface AuditChange {
  action: AuditAction;
  targetId?: string | number | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

const EXPORT_PAGE = 500;

/**
 * The audit trail. `record` is called by the module making a change, with that change's entity
 * manager, so the entry is part of the same transaction; the actor comes from the request.
 */
@Injectable()
export class AuditService {
  constructor(private readonly uow: UnitOfWork) {}

  async record(em: EntityManager, change: AuditChange): Promise<void> {
    const actor = currentActor();
    const json = (value: Record<string, unknown> | null | undefined) =>
      value ? JSON.stringify(redact(value)) : null;
    // Native SQL: before/after are free JSON (config keys may be named `constructor`), which the
    // ORM's parameter checks would walk as if they were entity data.
    await em.execute(
      `insert into audit_entries (api_key_id, api_key_name, scope, action, target_type, target_id, before, after, request_id)
       values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)`,
      [
        actor?.principal?.apiKeyId ?? null,
        actor?.principal?.name ?? null,
        actor?.principal?.scope ?? null,
        change.action,
        AUDIT_ACTIONS[change.action],
        change.targetId === undefined || change.targetId === null ? null : String(change.targetId),
        json(change.before),
        json(change.after),
        actor?.requestId ?? null,
      ],
    );
  }

  /** Newest first, keyset paged by id. */
  async page(query: AuditQueryDto): Promise<AuditPageView> {
    const limit = query.limit ?? 50;
    const rows = await this.uow.read((em) => this.fetch(em, query, limit + 1, query.cursor));
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
  }

  /** Every matching entry, page by page, for the CSV export. */
  async *all(query: AuditQueryDto): AsyncGenerator<AuditEntryView[]> {
    const bounds = timeBounds(query); // validate before the first byte is sent
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.uow.read((em) => this.fetch(em, query, EXPORT_PAGE, cursor, bounds));
      if (rows.length === 0) return;
      yield rows.map(toView);
      if (rows.length < EXPORT_PAGE) return;
      cursor = String(rows[rows.length - 1].id);
    }
  }

  /** Checks the filters; the export calls it before it starts streaming. */
  check(query: AuditQueryDto): void {
    timeBounds(query);
  }

  private fetch(
    em: EntityManager,
    query: AuditQueryDto,
    limit: number,
    cursor?: string,
    bounds = timeBounds(query),
  ): Promise<AuditEntry[]> {
    const where: Record<string, unknown> = {};
    if (query.action) where['action'] = query.action;
    if (query.apiKeyId !== undefined) where['apiKeyId'] = query.apiKeyId;
    const at: Record<string, Date> = {};
    if (bounds.from) at['$gte'] = bounds.from;
    if (bounds.to) at['$lt'] = bounds.to;
    if (Object.keys(at).length > 0) where['at'] = at;
    if (cursor) where['id'] = { $lt: Number(cursor) };
    return em.find(AuditEntry, where, { orderBy: { id: 'desc' }, limit });
  }
}

const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31);

function timeBounds(query: AuditQueryDto): { from: Date | null; to: Date | null } {
  const parse = (value: string | undefined, field: string): Date | null => {
    if (value === undefined) return null;
    const time = Date.parse(value);
    if (!Number.isFinite(time) || time < MIN_TIME || time > MAX_TIME) {
      throw new BadInputError(`${field} must be a date-time between 1970 and 9999.`, [
        { field, message: 'must be an ISO 8601 date-time between 1970-01-01 and 9999-12-31' },
      ]);
    }
    return new Date(time);
  };
  const from = parse(query.from, 'from');
  const to = parse(query.to, 'to');
  if (from && to && from > to) {
    throw new BadInputError('from must not be after to.', [
      { field: 'from', message: 'must not be after to' },
    ]);
  }
  return { from, to };
}

function toView(entry: AuditEntry): AuditEntryView {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    apiKeyId: entry.apiKeyId,
    apiKeyName: entry.apiKeyName,
    scope: entry.scope,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before,
    after: entry.after,
    requestId: entry.requestId,
  };
}
