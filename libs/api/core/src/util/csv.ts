/** A plain number (`-1`, `0.52`, `-12.5`): the only text starting with a formula character left as is. */
const EXACT_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One CSV cell of an export: quoted when CSV needs it, and a spreadsheet formula in text a bot or an
 * admin sent neutralised with a leading apostrophe: a cell starting with = + - @ tab or CR, unless it
 * is exactly a number (`-1+cmd|' /C calc'!A0` starts with "-1" but is a formula).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) && !EXACT_NUMBER.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
