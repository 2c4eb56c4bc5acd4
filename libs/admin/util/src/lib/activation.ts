/**
 * What an activation changes for the bots: the keys that differ between the version they get now and the one
 * about to replace it, and plain-language warnings when the change pauses or resumes trading or switches mode.
 * Pure functions, shared by every place that activates, rolls back, pauses or resumes.
 */

export type ConfigValues = Record<string, unknown>;

/** One key that differs (null: not set), as the API's config diff reports it. */
export interface ConfigChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  from: unknown;
  to: unknown;
}

export type ActivationAction = 'activate' | 'rollback' | 'pause' | 'resume' | 'save-activate';

/** A change of one of the two keys that decide whether and how a bot trades. */
export interface ActivationWarning {
  key: 'pauseOrders' | 'mode';
  /** bad: trading starts or becomes real; warn: trading stops or becomes simulated. */
  tone: 'bad' | 'warn';
  text: string;
}

export interface ActivationPreview {
  action: ActivationAction;
  /** The version bots get now (null: none is active yet). */
  activeId: number | null;
  /** The version about to be activated (null: not saved yet, saved on confirmation). */
  targetId: number | null;
  changes: ConfigChange[];
  warnings: ActivationWarning[];
  /** For pauseOrders and mode when they do not change: what stays, e.g. "pauseOrders stays true: orders stay paused." */
  unchanged: string[];
  /** Shown above the diff, e.g. when the active version changed while the dialog was open. */
  notice?: string | null;
}

/** The value a bot acts on for the two keys that matter here when the version leaves them unset. */
const BOT_DEFAULTS: Readonly<Record<'pauseOrders' | 'mode', unknown>> = {
  pauseOrders: false,
  mode: 'dry_run',
};

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort())
      out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The keys that differ from `from` to `to`, sorted (the same rules as the API's GET /configs/diff). */
export function diffConfigValues(from: ConfigValues, to: ConfigValues): ConfigChange[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const changes: ConfigChange[] = [];
  for (const key of keys) {
    const a = from[key] ?? null;
    const b = to[key] ?? null;
    if (same(a, b)) continue;
    changes.push({ key, change: a === null ? 'added' : b === null ? 'removed' : 'changed', from: a, to: b });
  }
  return changes;
}

/** `values` with `changes` applied the way POST /configs with basedOnId does (null removes a key). */
export function applyConfigChanges(values: ConfigValues, changes: ConfigValues): ConfigValues {
  const merged: ConfigValues = { ...values };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Warnings for a change of pauseOrders or mode, judged on what the bots act on (unset means the bot default). */
export function activationWarnings(changes: readonly ConfigChange[]): ActivationWarning[] {
  const warnings: ActivationWarning[] = [];
  const pause = changes.find((c) => c.key === 'pauseOrders');
  if (pause) {
    const was = (pause.from ?? BOT_DEFAULTS.pauseOrders) === true;
    const will = (pause.to ?? BOT_DEFAULTS.pauseOrders) === true;
    if (was && !will)
      warnings.push({
        key: 'pauseOrders',
        tone: 'bad',
        text: 'This RESUMES trading: pauseOrders true → false. Bots place orders again at their next poll.',
      });
    if (!was && will)
      warnings.push({
        key: 'pauseOrders',
        tone: 'warn',
        text: 'This PAUSES trading: pauseOrders false → true. Bots stop placing orders at their next poll.',
      });
  }
  const mode = changes.find((c) => c.key === 'mode');
  if (mode) {
    const was = shown(mode.from ?? BOT_DEFAULTS.mode);
    const will = shown(mode.to ?? BOT_DEFAULTS.mode);
    if (was !== will) {
      warnings.push(
        will === 'live'
          ? {
              key: 'mode',
              tone: 'bad',
              text: `This switches the bots to LIVE trading with real orders: mode ${was} → ${will}.`,
            }
          : { key: 'mode', tone: 'warn', text: `This changes the trading mode: mode ${was} → ${will}.` },
      );
    }
  }
  return warnings;
}

/** What stays for pauseOrders and mode when the change leaves what the bots do about them alone. */
export function unchangedStatements(active: ConfigValues, changes: readonly ConfigChange[]): string[] {
  const warned = new Set(activationWarnings(changes).map((w) => w.key));
  const out: string[] = [];
  if (!warned.has('pauseOrders')) {
    out.push(
      (active['pauseOrders'] ?? BOT_DEFAULTS.pauseOrders) === true
        ? 'pauseOrders stays true: orders stay paused.'
        : 'pauseOrders stays false: trading is not paused.',
    );
  }
  if (!warned.has('mode')) out.push(`mode stays ${shown(active['mode'] ?? BOT_DEFAULTS.mode)}.`);
  return out;
}

/** A preview from the values bots get now and the values about to replace them. */
export function previewBetween(
  action: ActivationAction,
  active: { id: number; values: ConfigValues } | null,
  target: { id: number | null; values: ConfigValues },
): ActivationPreview {
  const changes = diffConfigValues(active?.values ?? {}, target.values);
  return {
    action,
    activeId: active?.id ?? null,
    targetId: target.id,
    changes,
    warnings: activationWarnings(changes),
    unchanged: unchangedStatements(active?.values ?? {}, changes),
  };
}

/** True when the confirmation should look dangerous: trading resumes or goes live. */
export function isRiskyActivation(preview: ActivationPreview): boolean {
  return preview.warnings.some((w) => w.tone === 'bad');
}

/** The server's answer to GET /configs/{id}/activation-preview and /configs/rollback-preview. */
export interface ServerPreview {
  configId: number;
  activeConfigId: number | null;
  changes: Array<{ key: string; change: 'added' | 'removed' | 'changed'; from: unknown; to: unknown }>;
  changesMode: boolean;
  mode: { from: unknown; to: unknown };
  changesPauseOrders: boolean;
  pauseOrders: { from: unknown; to: unknown };
}

/** A preview from the server's: its pauseOrders and mode flags decide the warnings (the server knows the defaults). */
export function previewFromServer(action: ActivationAction, view: ServerPreview): ActivationPreview {
  const changes: ConfigChange[] = view.changes.map((c) => ({
    key: c.key,
    change: c.change,
    from: c.from ?? null,
    to: c.to ?? null,
  }));
  const flagged: ConfigChange[] = [];
  if (view.changesPauseOrders)
    flagged.push({
      key: 'pauseOrders',
      change: 'changed',
      from: view.pauseOrders.from === true,
      to: view.pauseOrders.to === true,
    });
  if (view.changesMode)
    flagged.push({
      key: 'mode',
      change: 'changed',
      from: view.mode.from ?? BOT_DEFAULTS.mode,
      to: view.mode.to ?? BOT_DEFAULTS.mode,
    });
  const now: ConfigValues = {
    pauseOrders: view.pauseOrders.from === true,
    mode: view.mode.from ?? BOT_DEFAULTS.mode,
  };
  return {
    action,
    activeId: view.activeConfigId,
    targetId: view.configId,
    changes,
    warnings: activationWarnings(flagged),
    unchanged: unchangedStatements(now, flagged),
  };
}
