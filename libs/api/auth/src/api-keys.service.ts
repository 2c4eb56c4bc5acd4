import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ApiKeyScope,
  ConflictError,
  NotFoundError,
  Principal,
  SETTINGS,
  Settings,
  UnitOfWork,
} from '@polymaker/api/core';
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
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  /** Valid keys and unknown ones are cached apart (both bounded LRUs): a flood of unknown keys cannot evict a valid one. */
  private readonly valid: LruCache<string, CachedKey>;
  private readonly unknown: LruCache<string, number>;
  private readonly cacheMs: number;
  private lookups = 0;
  private readonly lastUsedWritten = new Map<number, number>();

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {
    this.valid = new LruCache(settings.resilience.apiKeyCacheSize);
    this.unknown = new LruCache(settings.resilience.apiKeyCacheSize);
    this.cacheMs = settings.resilience.apiKeyCacheSeconds * 1000;
  }

  /** True for a key this instance verified as valid (and not expired) recently: not a guess. */
  isKnownValid(presented: string): boolean {
    const cached = this.valid.peek(hashKey(presented));
    return cached !== undefined && (cached.keyExpiresAt === null || cached.keyExpiresAt > Date.now());
  }

  /** The principal for a presented key, or null when it is unknown, revoked or expired. */
  async verify(presented: string): Promise<Principal | null> {
    const hash = hashKey(presented);
    const now = Date.now();
    let cached = this.valid.get(hash);
    if (!cached || cached.expiresAt < now) {
      if (!cached && (this.unknown.get(hash) ?? 0) > now) return null;
      const key = await this.uow.read((em) => em.findOne(ApiKey, { hash }));
      this.lookups += 1;
      this.logger.debug({ lookups: this.lookups, foundApiKeyId: key && !key.revokedAt ? key.id : null }, 'API key looked up');
      if (!key || key.revokedAt) {
        this.valid.delete(hash);
        this.unknown.set(hash, now + this.cacheMs);
        return null;
      }
      cached = {
        principal: { apiKeyId: key.id, name: key.name, scope: key.scope },
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

  private forgetCachedKeys(): void {
    this.valid.clear();
    this.unknown.clear();
  }

  private touch(id: number, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) > now - LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(id, now);
    this.uow
      .read((em) => em.nativeUpdate(ApiKey, { id }, { lastUsedAt: new Date(now) }))
      .catch((error: Error) => this.logger.warn({ apiKeyId: id, err: error.message }, 'could not record key use'));
  }

  async list(): Promise<ApiKeyView[]> {
    const keys = await this.uow.read((em) => em.find(ApiKey, {}, { orderBy: { id: 'asc' } }));
    return keys.map(toView);
  }

  async create(name: string, scope: ApiKeyScope, value?: string): Promise<{ apiKey: ApiKeyView; secret: string }> {
    return this.uow.run(async (em) => {
      const source: ApiKeySource = value ? 'chosen' : 'generated';
      const secret = value ?? generateKeyValue(scope);
      const hash = hashKey(secret);
      if (await em.count(ApiKey, { hash })) {
        throw new ConflictError('A key with this value already exists. Choose another value or generate one.');
      }
      const key = em.create(ApiKey, { name, scope, source, hash, prefix: visiblePrefix(secret, source) } as ApiKey);
      await em.persist(key).flush();
      this.unknown.delete(hash);
      this.logger.log({ apiKeyId: key.id, name, scope, source }, 'API key created');
      return { apiKey: toView(key), secret };
    });
  }

  async revoke(id: number): Promise<ApiKeyView> {
    const key = await this.uow.run(async (em) => {
      const found = await em.findOne(ApiKey, { id }, { lockMode: 4 /* pessimistic write */ });
      if (!found) throw new NotFoundError(`API key ${id} does not exist.`);
      if (!found.revokedAt) {
        if (found.scope === 'admin' && (await this.activeAdminCount(em)) <= 1) {
          throw new ConflictError(
            'This is the last active admin key; revoking it would lock everyone out. Create another admin key first.',
          );
        }
        found.revokedAt = new Date();
        await em.flush();
      }
      return found;
    });
    this.forgetCachedKeys();
    this.logger.log({ apiKeyId: id }, 'API key revoked');
    return toView(key);
  }

  async rotate(id: number, value?: string, graceMinutes = 0): Promise<{ apiKey: ApiKeyView; secret: string }> {
    const result = await this.uow.run(async (em) => {
      const old = await em.findOne(ApiKey, { id });
      if (!old || old.revokedAt) throw new NotFoundError(`API key ${id} does not exist or is already revoked.`);
      const created = await this.create(old.name, old.scope, value);
      await em.nativeUpdate(ApiKey, { id: created.apiKey.id }, { rotatedFromId: old.id });
      if (graceMinutes > 0) old.expiresAt = new Date(Date.now() + graceMinutes * 60_000);
      else old.revokedAt = new Date();
      await em.flush();
      return created;
    });
    this.forgetCachedKeys();
    this.logger.log({ apiKeyId: id, newApiKeyId: result.apiKey.id, graceMinutes }, 'API key rotated');
    return result;
  }

  private async activeAdminCount(em: Parameters<Parameters<UnitOfWork['run']>[0]>[0]): Promise<number> {
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
          em.persist(
            em.create(ApiKey, {
              name: `${variable} (environment)`,
              scope,
              source: 'env',
              hash: hashKey(value),
              prefix: visiblePrefix(value, 'env'),
            } as ApiKey),
          );
        } else if (existing.revokedAt) {
          this.logger.warn(`${variable} names a key that was revoked; it will be refused until set to a new value`);
        } else if (existing.scope !== scope) {
          this.logger.warn(`${variable} names an existing key of scope "${existing.scope}"; its scope is unchanged`);
        }
      }
      await em.flush();
      if ((await this.activeAdminCount(em)) > 0) return { generatedAdminKey: null };
      const secret = generateKeyValue('admin');
      em.persist(
        em.create(ApiKey, {
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

export function toView(key: ApiKey): ApiKeyView {
  const now = Date.now();
  return {
    id: key.id,
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
