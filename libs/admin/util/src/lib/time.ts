/** "4 s", "3 min", "2 h 5 min", "3 d 4 h": a duration a person reads at a glance. */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds == null || !Number.isFinite(totalSeconds)) return '—';
  const negative = totalSeconds < 0;
  let s = Math.floor(Math.abs(totalSeconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let text: string;
  if (d) text = h ? `${d} d ${h} h` : `${d} d`;
  else if (h) text = m ? `${h} h ${m} min` : `${h} h`;
  else if (m) text = `${m} min`;
  else text = `${s} s`;
  return negative ? `−${text}` : text;
}

/** Seconds between an ISO time and now (positive when the time is in the past). */
export function secondsSince(iso: string | null | undefined, now: number = Date.now()): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.round((now - t) / 1000);
}

/** "3 min ago" / "in 2 h" */
/**
 * How long ago something happened. Every caller shows a past event (a last update, a last poll), so a
 * time slightly ahead of this browser's clock is the clocks disagreeing, not the future: up to
 * CLOCK_SKEW_SECONDS ahead reads "just now" (never "in 3 s"); further ahead it says so plainly.
 */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  const seconds = secondsSince(iso, now);
  if (seconds == null) return '—';
  if (seconds < 2 && seconds > -CLOCK_SKEW_SECONDS) return 'just now';
  return seconds >= 0
    ? `${formatDuration(seconds)} ago`
    : `${formatDuration(-seconds)} ahead of this computer's clock`;
}

/** How far ahead of the browser's clock a past event's time may be and still read "just now". */
export const CLOCK_SKEW_SECONDS = 120;

/** A local date-time input value ("2026-11-24T07:16") to an ISO string, or undefined when empty. */
export function localInputToIso(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}
