/**
 * The audit action catalogue: every change the admin API records, by name. Each entry names its
 * target type; before/after hold the state that changed (secrets redacted).
 */
export const AUDIT_ACTIONS = {
  'config.created': 'config',
  'config.activated': 'config',
  'config.rolled-back': 'config',
  'config.paused': 'config',
  'config.resumed': 'config',
  'suggestions.applied': 'analysis',
  'api-key.created': 'api-key',
  'api-key.rotated': 'api-key',
  'api-key.revoked': 'api-key',
  'channel.email.updated': 'channel',
  'channel.webhook.updated': 'channel',
  'channel.telegram.updated': 'channel',
  'wallet.settings.updated': 'wallet',
  'retention.updated': 'retention',
  'fleet.tags.updated': 'bot',
  'fleet.assigned': 'fleet',
  'fleet.unassigned': 'fleet',
  'fleet.paused': 'fleet',
  'fleet.resumed': 'fleet',
  'experiment.started': 'experiment',
  'experiment.stopped': 'experiment',
  'experiment.promoted': 'experiment',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];
