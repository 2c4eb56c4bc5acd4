import type { ApiKeyScope } from '@polymaker/api/core';

/**
 * What each scope may do, as named permissions: `GET /api/v1/me` returns them so the admin app can
 * hide what a key may not do. The guard enforces the same split through each route's
 * `@RequiresScope` (admin > operator > viewer); this table is the readable form of it.
 */
export const PERMISSIONS = {
  /** Read runs, trades, markets, configs, analyses, wallet, the inbox, jobs, the live stream. */
  read: 'viewer',
  /** Read the audit trail and export it as CSV (secrets are redacted in it). */
  'audit.read': 'viewer',
  /** Create config versions (inactive). */
  'configs.create': 'operator',
  /** Activate a config version; create-and-activate. */
  'configs.activate': 'operator',
  /** Roll back to an earlier version. */
  'configs.rollback': 'operator',
  /** Pause or resume order placement on every bot. */
  'configs.pause': 'operator',
  /** Tag bots, assign config versions to a bot or a tag, pause and resume the fleet, a tag or a bot. */
  'fleet.manage': 'operator',
  /** Turn an analysis' suggestions into a new config version. */
  'suggestions.apply': 'operator',
  /** Analyse a run now. */
  'analyses.run': 'operator',
  /** Mark inbox notifications read or unread. */
  'notifications.mark-read': 'operator',
  /** Run a scheduled job now; retry an outbox job. */
  'jobs.run': 'operator',
  /** Create, rotate and revoke API keys; list them. */
  'keys.manage': 'admin',
  /** Read the notification channels (masked) and change or test them. */
  'channels.manage': 'admin',
  /** Change the wallet watch and threshold and the metric retention. */
  'settings.manage': 'admin',
} as const satisfies Record<string, Exclude<ApiKeyScope, 'bot'>>;

export type Permission = keyof typeof PERMISSIONS;

const RANK = { viewer: 1, operator: 2, admin: 3 } as const;

/** The permissions of a scope, in catalogue order; a bot key has none on the admin API. */
export function permissionsOf(scope: ApiKeyScope): Permission[] {
  if (scope === 'bot') return [];
  return (Object.keys(PERMISSIONS) as Permission[]).filter((name) => RANK[scope] >= RANK[PERMISSIONS[name]]);
}
