/** A config version assigned over the fleet default: to one bot or to every bot with a tag. */
export interface Assignment {
  id: number;
  kind: 'bot' | 'tag';
  /** The bot id (as text) or the tag. */
  target: string;
  configId: number;
  assignedAt: string;
  assignedBy: string | null;
}

/** The brake laid over the served config: the whole fleet, a tag or one bot. */
export interface Pause {
  id: number;
  kind: 'fleet' | 'tag' | 'bot';
  /** '' for the fleet, the tag, or the bot id as text. */
  target: string;
  pausedAt: string;
  pausedBy: string | null;
}

/** What decides a bot's served config: its assignments, its pauses, its tags. */
export interface FleetRules {
  tagsOf: ReadonlyMap<number, readonly string[]>;
  assignments: readonly Assignment[];
  pauses: readonly Pause[];
}

/** Which version a bot is served and why: `bot`, `tag:<name>` or `default` (the active version). */
export interface Resolution {
  /** null: the fleet default (the active version). */
  configId: number | null;
  rule: string;
  assignment: Assignment | null;
  /** The pause that applies (the earliest of the fleet's, its tags' and its own), or null. */
  pause: Pause | null;
}

/**
 * The rule of `GET /api/bot/config`: the bot's own assignment, else the latest-assigned version of
 * one of its tags, else the fleet default; paused when the fleet, one of its tags or the bot is.
 */
export function resolveBot(botId: number, rules: FleetRules): Resolution {
  const tags = rules.tagsOf.get(botId) ?? [];
  const own = rules.assignments.find((a) => a.kind === 'bot' && a.target === String(botId)) ?? null;
  let assignment = own;
  if (!assignment) {
    for (const a of rules.assignments) {
      if (a.kind !== 'tag' || !tags.includes(a.target)) continue;
      if (
        !assignment ||
        a.assignedAt > assignment.assignedAt ||
        (a.assignedAt === assignment.assignedAt && a.id > assignment.id)
      )
        assignment = a;
    }
  }
  let pause: Pause | null = null;
  for (const p of rules.pauses) {
    if (pauseCovers(p, botId, tags) && (!pause || p.pausedAt < pause.pausedAt)) pause = p;
  }
  return {
    configId: assignment?.configId ?? null,
    rule: assignment ? (assignment.kind === 'bot' ? 'bot' : `tag:${assignment.target}`) : 'default',
    assignment,
    pause,
  };
}

/** Whether a pause covers this bot (with these tags). */
export function pauseCovers(pause: Pause, botId: number, tags: readonly string[]): boolean {
  return (
    pause.kind === 'fleet' ||
    (pause.kind === 'tag' && tags.includes(pause.target)) ||
    (pause.kind === 'bot' && pause.target === String(botId))
  );
}

/** A tag: 1 to 40 of lower-case letters, digits, `-`, `_`, `.` and `:` (e.g. `vps-1`, `btc-only`). */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._:-]{0,39}$/;
export const MAX_TAGS = 16;
