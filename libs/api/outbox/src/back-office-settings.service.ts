import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@polymaker/api/core';

/**
 * Settings the admin API may change at run time (notification channels, wallet threshold,
 * retention), stored as JSON under a key. The environment gives the defaults; a stored value
 * overrides them. Every instance reads the table, so a change applies to all of them.
 */
@Injectable()
export class BackOfficeSettingsService {
  constructor(private readonly uow: UnitOfWork) {}

  async get<T extends object>(key: string, em?: EntityManager): Promise<Partial<T>> {
    const read = (m: EntityManager) =>
      m.execute<{ value: Partial<T> }[]>('select value from back_office_settings where key = ?', [key]);
    const rows = em ? await read(em) : await this.uow.read(read);
    return rows[0]?.value ?? {};
  }

  /** Merges `patch` into the stored value; a null field goes back to the environment default. */
  async patch<T extends object>(key: string, patch: Partial<T>): Promise<Partial<T>> {
    return this.uow.run(async (em) => {
      const current = await this.get<T>(key, em);
      const next: Record<string, unknown> = { ...current };
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (value === null) delete next[field];
        else next[field] = value;
      }
      await em.execute(
        `insert into back_office_settings (key, value, updated_at) values (?, ?::jsonb, now())
         on conflict (key) do update set value = excluded.value, updated_at = now()`,
        [key, JSON.stringify(next)],
      );
      return next as Partial<T>;
    });
  }
}
