import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  ApiKeyScope,
  ConflictError,
  NotFoundError,
  Principal,
  SETTINGS,
  Settings,
  UnitOfWork,
} from '@polymaker/api/core';
import { AuditService } from '@polymaker/api/audit';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyView } from './dto/api-key.dto';
import { LruCache } from './bounded-cache';
import { ApiKey, ApiKeySource } from './entities/api-key.entity';

interface CachedKey {
  principal: Principal;
  hash: Buffer;
  expiresAt: number;
  keyExpiresAt: number | null;
}
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function hashKey(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function generateKeyValue(scope: ApiKeyScope): string {
  const bytes = randomBytes(32);
  let body = '';
  for (const byte of bytes) body += ALPHABET[byte % ALPHABET.length];
  return `pmk_${scope}_${body}`;
}

function visiblePrefix(value: string, source: ApiKeySource): string {
  return source === 'generated' ? value.slice(0, 12) : `${value.slice(0, 4)}…`;
}

/**
 * API keys: hashed at rest (SHA-256 of a high-entropy secret), shown once, revocable and
 * rotatable. Verification is cached for a few seconds per instance; a revocation made here clears
 * the cache at once.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit {
  private readonly logger = new Logger(ApiKeysService.name);
  /** Valid keys and unknown ones are cached apart (both bounded LRUs): a flood of unknown keys cannot evict a valid one. */
  private readonly valid: LruCache<string, CachedKey>;
  private readonly unknown: LruCache<string, number>;
  private readonly cacheMs: number;
  private lookups = 0;
  private readonly lastUsedWritten = new Map<number, number>();
  private readonly pendingUse = new Map<number, number>();
  private useWriteScheduled = false;
  private writingUse = false;
  /** The api_keys fingerprint last seen, and the cache epoch it was taken in. */
  private fingerprint: string | null = null;
  private checkedEpoch = -1;
  /** Bumped whenever the caches are cleared. */
  private epoch = 0;
  /** Until then, every cached answer holds (a fingerprint check found no change). */
  private freshUntil = 0;
  private nextCheckAt = 0;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly audit: AuditService,
  ) {
    this.valid = new LruCache(settings.resilience.apiKeyCacheSize);
    this.unknown = new LruCache(settings.resilience.apiKeyCacheSize);
    this.cacheMs = settings.resilience.apiKeyCacheSeconds * 1000;
  }

  /** Takes the first fingerprint before the first request, so the first keys looked up are kept. */
  async onModuleInit(): Promise<void> {
    const now = Date.now();
    this.nextCheckAt = now + this.cacheMs / 2;
    await this.revalidate(now).catch((error: Error) =>
      this.logger.warn({ err: error.message }, 'could not read the API keys fingerprint'),
    );
  }

  /** True for a key this instance verified as valid (and not expired) recently: not a guess. */
  isKnownValid(presented: string): boolean {
    const cached = this.valid.peek(hashKey(presented));
    return cached !== undefined && (cached.keyExpiresAt === null || cached.keyExpiresAt > Date.now());
  }

  /**
   * The principal for a presented key, or null when it is unknown, revoked or expired.
   *
   * A key looked up is trusted for API_KEY_CACHE_SECONDS; past that it stays trusted only while the
   * table's fingerprint (one query per instance every half period, not one per key) shows that no
   * key was added, revoked, rotated or changed since it was looked up. Any change found clears both
   * caches, so another instance's revocation is refused here within the same period as before.
   */
  async verify(presented: string): Promise<Principal | null> {
    const hash = hashKey(presented);
    const now = Date.now();
    this.revalidateIfDue(now);
    let cached = this.valid.get(hash);
    if (!cached || Math.max(cached.expiresAt, this.freshUntil) < now) {
      // an unknown key stays unknown for its period, or while the fingerprint holds (a key made since would change it)
      const unknownUntil = cached ? undefined : this.unknown.get(hash);
      if (unknownUntil !== undefined && Math.max(unknownUntil, this.freshUntil) > now) return null;
      const key = await this.lookUp(hash);
      this.lookups += 1;
      this.logger.debug(
        { lookups: this.lookups, foundApiKeyId: key && !key.revokedAt ? key.id : null },
        'API key looked up',
      );
      if (!key || key.revokedAt) {
        this.valid.delete(hash);
        this.unknown.set(hash, now + this.cacheMs);
        return null;
      }
      cached = {
        principal: { apiKeyId: key.id, botId: key.botId, name: key.name, scope: key.scope },
        hash: Buffer.from(key.hash, 'hex'),
        expiresAt: now + this.cacheMs,
        keyExpiresAt: key.expiresAt?.getTime() ?? null,
      };
      this.valid.set(hash, cached);
      this.unknown.delete(hash);
    }
    if (!timingSafeEqual(cached.hash, Buffer.from(hash, 'hex'))) return null;
    if (cached.keyExpiresAt !== null && cached.keyExpiresAt <= now) return null;
    this.touch(cached.principal.apiKeyId, now);
    return cached.principal;
  }

  /** One key by its hash, plain SQL (no entity tracking on the path of every bot request). */
  private async lookUp(hash: string): Promise<{
    id: number;
    botId: number;
    name: string;
    scope: ApiKeyScope;
    hash: string;
    revokedAt: Date | null;
    expiresAt: Date | null;
  } | null> {
    const [row] = await this.uow.sql(
      (sql) =>
        sql.query<{
          id: string;
          bot_id: string;
          name: string;
          scope: ApiKeyScope;
          hash: string;
          revoked_at: Date | null;
          expires_at: Date | null;
        }>('select id, bot_id, name, scope, hash, revoked_at, expires_at from api_keys where hash = $1', [
          hash,
        ]),
      { control: true }, // the control pool: never behind a burst of writes
    );
    if (!row) return null;
    return {
      id: Number(row.id),
      botId: Number(row.bot_id),
      name: row.name,
      scope: row.scope,
      hash: row.hash,
      revokedAt: row.revoked_at,
      expiresAt: row.expires_at,
    };
  }

  /** Starts a fingerprint check when half the cache period has passed since the last (one at a time). */
  private revalidateIfDue(now: number): void {
    if (this.checking || now < this.nextCheckAt) return;
    this.nextCheckAt = now + this.cacheMs / 2;
    this.checking = this.revalidate(now)
      .catch((error: Error) =>
        this.logger.warn({ err: error.message }, 'could not check the API keys for changes'),
      )
      .finally(() => (this.checking = null));
  }

  private async revalidate(startedAt: number): Promise<void> {
    const [row] = await this.uow.sql(
      (sql) =>
        sql.query<{ fingerprint: string }>(
          `select count(*)::text || ':' || coalesce(md5(string_agg(
                    concat_ws(',', id, bot_id, scope, name, hash, revoked_at, expires_at), ';' order by id)), '') as fingerprint
             from api_keys`,
        ),
      { control: true }, // the control pool: never behind a burst of writes
    );
    if (this.epoch !== this.checkedEpoch || row.fingerprint !== this.fingerprint) {
      // A first check, something changed, or the caches were cleared here meanwhile: what is cached is dropped.
      this.forgetCachedKeys();
      this.fingerprint = row.fingerprint;
      this.checkedEpoch = this.epoch;
      return;
    }
    // Nothing changed between the previous check and this one's start: everything cached holds.
    this.freshUntil = Math.max(this.freshUntil, startedAt + this.cacheMs);
  }

  private forgetCachedKeys(): void {
    this.valid.clear();
    this.unknown.clear();
    this.freshUntil = 0;
    this.epoch += 1;
  }

  /**
   * Records that a key was used: at most once a minute per key, written at once (the list shows it on
   * the next refresh); the uses that arrive while a write is in flight go together in the next one.
   */
  private touch(id: number, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) > now - LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(id, now);
    this.pendingUse.set(id, now);
    if (this.lastUsedWritten.size > 100_000) this.lastUsedWritten.clear();
    this.scheduleUseWrite();
  }

  private scheduleUseWrite(): void {
    if (this.useWriteScheduled || this.writingUse || this.pendingUse.size === 0) return;
    this.useWriteScheduled = true;
    setImmediate(() => {
      this.useWriteScheduled = false;
      void this.flushUse();
    });
  }

  private async flushUse(): Promise<void> {
    const used = [...this.pendingUse].map(([id, at]) => ({ id, at: new Date(at).toISOString() }));
    this.pendingUse.clear();
    if (used.length === 0) return;
    this.writingUse = true;
    try {
      await this.uow.sql(
        (sql) =>
          sql.query(
            `update api_keys k set last_used_at = greatest(k.last_used_at, u.at)
               from jsonb_to_recordset($1::jsonb) as u(id bigint, at timestamptz) where k.id = u.id`,
            [JSON.stringify(used)],
          ),
        { single: true },
      );
    } catch (error) {
      this.logger.warn({ keys: used.length, err: (error as Error).message }, 'could not record key use');
    } finally {
      this.writingUse = false;
      this.scheduleUseWrite();
    }
  }

  async list(): Promise<ApiKeyView[]> {
    const keys = await this.uow.read((em) => em.find(ApiKey, {}, { orderBy: { id: 'asc' } }));
    return keys.map(toView);
  }

  async create(
    name: string,
    scope: ApiKeyScope,
    value?: string,
  ): Promise<{ apiKey: ApiKeyView; secret: string }> {
    return this.uow.run(async (em) => {
      const created = await this.insert(em, name, scope, value);
      await this.audit.record(em, {
        action: 'api-key.created',
        targetId: created.apiKey.id,
        before: null,
        after: { ...created.apiKey },
      });
      return created;
    });
  }

  private async insert(
    em: EntityManager,
    name: string,
    scope: ApiKeyScope,
    value?: string,
  ): Promise<{ apiKey: ApiKeyView; secret: string }> {
    const source: ApiKeySource = value ? 'chosen' : 'generated';
    const secret = value ?? generateKeyValue(scope);
    const hash = hashKey(secret);
    if (await em.count(ApiKey, { hash })) {
      throw new ConflictError('A key with this value already exists. Choose another value or generate one.');
    }
    const id = await nextKeyId(em);
    const key = em.create(ApiKey, {
      id,
      botId: id,
      name,
      scope,
      source,
      hash,
      prefix: visiblePrefix(secret, source),
    } as ApiKey);
    await em.persist(key).flush();
    this.unknown.delete(hash);
    this.logger.log({ apiKeyId: key.id, name, scope, source }, 'API key created');
    return { apiKey: toView(key), secret };
  }

  async revoke(id: number): Promise<ApiKeyView> {
    const key = await this.uow.run(async (em) => {
      // Waits for a row lock (the batched last-used write holds one for a moment); SKIP LOCKED would
      // answer "does not exist" for a key in use.
      const found = await em.findOne(ApiKey, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw new NotFoundError(`API key ${id} does not exist.`);
      if (!found.revokedAt) {
        if (found.scope === 'admin' && (await this.activeAdminCount(em)) <= 1) {
          throw new ConflictError(
            'This is the last active admin key; revoking it would lock everyone out. Create another admin key first.',
          );
        }
        const before = toView(found);
        found.revokedAt = new Date();
        await em.flush();
        await this.audit.record(em, {
          action: 'api-key.revoked',
          targetId: found.id,
          before: { ...before },
          after: { ...toView(found) },
        });
      }
      return found;
    });
    this.forgetCachedKeys();
    this.logger.log({ apiKeyId: id }, 'API key revoked');
    return toView(key);
  }

  async rotate(
    id: number,
    value?: string,
    graceMinutes = 0,
  ): Promise<{ apiKey: ApiKeyView; secret: string }> {
    const result = await this.uow.run(async (em) => {
      // Locked, so two rotations at once make one new key, not two.
      const old = await em.findOne(ApiKey, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!old || old.revokedAt)
        throw new NotFoundError(`API key ${id} does not exist or is already revoked.`);
      const before = toView(old);
      const created = await this.insert(em, old.name, old.scope, value);
      await em.nativeUpdate(ApiKey, { id: created.apiKey.id }, { rotatedFromId: old.id, botId: old.botId });
      created.apiKey.botId = old.botId; // the new key speaks for the same bot: it keeps the bot's runs
      if (graceMinutes > 0) old.expiresAt = new Date(Date.now() + graceMinutes * 60_000);
      else old.revokedAt = new Date();
      await em.flush();
      await this.audit.record(em, {
        action: 'api-key.rotated',
        targetId: old.id,
        before: { ...before },
        after: { old: { ...toView(old) }, new: { ...created.apiKey, rotatedFromId: old.id }, graceMinutes },
      });
      return created;
    });
    this.forgetCachedKeys();
    this.logger.log({ apiKeyId: id, newApiKeyId: result.apiKey.id, graceMinutes }, 'API key rotated');
    return result;
  }

  private async activeAdminCount(em: EntityManager): Promise<number> {
    return em.count(ApiKey, { scope: 'admin', revokedAt: null });
  }

  /**
   * Keys from BOT_API_KEY / ADMIN_API_KEY are created with exactly those values; with no admin key at
   * all, one is generated and returned so the caller can print it once.
   */
  async seed(): Promise<{ generatedAdminKey: string | null }> {
    return this.uow.run(async (em) => {
      await em.execute("select pg_advisory_xact_lock(hashtextextended('api-key-seed', 0))");
      const seeds: [string | null, ApiKeyScope][] = [
        [this.settings.adminApiKey, 'admin'],
        [this.settings.botApiKey, 'bot'],
      ];
      for (const [value, scope] of seeds) {
        if (!value) continue;
        const existing = await em.findOne(ApiKey, { hash: hashKey(value) });
        const variable = scope === 'admin' ? 'ADMIN_API_KEY' : 'BOT_API_KEY';
        if (!existing) {
          const id = await nextKeyId(em);
          em.persist(
            em.create(ApiKey, {
              id,
              botId: id,
              name: `${variable} (environment)`,
              scope,
              source: 'env',
              hash: hashKey(value),
              prefix: visiblePrefix(value, 'env'),
            } as ApiKey),
          );
        } else if (existing.revokedAt) {
          this.logger.warn(
            `${variable} names a key that was revoked; it will be refused until set to a new value`,
          );
        } else if (existing.scope !== scope) {
          this.logger.warn(
            `${variable} names an existing key of scope "${existing.scope}"; its scope is unchanged`,
          );
        }
      }
      await em.flush();
      if ((await this.activeAdminCount(em)) > 0) return { generatedAdminKey: null };
      const secret = generateKeyValue('admin');
      const id = await nextKeyId(em);
      em.persist(
        em.create(ApiKey, {
          id,
          botId: id,
          name: 'first admin key (generated at first start)',
          scope: 'admin',
          source: 'generated',
          hash: hashKey(secret),
          prefix: visiblePrefix(secret, 'generated'),
        } as ApiKey),
      );
      await em.flush();
      return { generatedAdminKey: secret };
    });
  }
}

/** A new key's id, taken before the insert so the key can name itself as its bot. */
async function nextKeyId(em: Parameters<Parameters<UnitOfWork['run']>[0]>[0]): Promise<number> {
  const [row] = await em.execute<{ id: string }[]>(
    "select nextval(pg_get_serial_sequence('api_keys', 'id')) as id",
  );
  return Number(row.id);
}

export function toView(key: ApiKey): ApiKeyView {
  const now = Date.now();
  return {
    id: key.id,
    botId: key.botId,
    name: key.name,
    scope: key.scope,
    prefix: key.prefix,
    source: key.source,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    active: !key.revokedAt && (!key.expiresAt || key.expiresAt.getTime() > now),
  };
}
