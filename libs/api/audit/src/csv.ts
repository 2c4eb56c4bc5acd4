/**
 * One CSV cell: quoted when CSV needs it, and a spreadsheet formula neutralised with a leading
 * quote. Only an exact number (e.g. -1.5) is exempt from the guard; `-1+cmd|...` is not.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const exactNumber = /^-?\d+(\.\d+)?$/.test(text);
  const safe = /^[=+\-@\t\r]/.test(text) && !exactNumber ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
