/**
 * Which domain library owns each table: the only code whose SQL or entities touch it. Every other
 * module asks through the owner's exported service. `table-ownership.spec.ts` holds the code (and the
 * README's table) to this map, and fails on a table no one owns.
 */
export const TABLE_OWNERS: Readonly<Record<string, string>> = {
  api_keys: 'auth',
  audit_entries: 'audit',
  config_versions: 'config',
  config_activations: 'config',
  runs: 'runs',
  run_metric_points: 'metrics',
  run_metric_stats: 'metrics',
  trades: 'trades',
  run_trade_stats: 'trades',
  pnl_hourly: 'trades',
  pnl_daily: 'trades',
  pnl_journal: 'trades',
  markets: 'markets',
  market_reports: 'markets',
  analyses: 'analysis',
  notifications: 'notifications',
  notification_deliveries: 'notifications',
  outbox_jobs: 'outbox',
  back_office_settings: 'outbox',
  wallet_readings: 'wallet',
  wallet_alert_states: 'wallet',
  idempotency_records: 'core',
  bot_profiles: 'fleet',
  config_assignments: 'fleet',
  fleet_pauses: 'fleet',
  bot_polls: 'fleet',
  bot_config_spans: 'fleet',
  experiments: 'experiments',
  scheduler_leases: 'scheduler',
};
