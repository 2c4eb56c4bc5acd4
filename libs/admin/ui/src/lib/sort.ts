import { Signal, computed, signal } from '@angular/core';
import { compareDecimals, isDecimal } from '@polymaker/admin/util';

export type SortDirection = 'asc' | 'desc';

export interface Sorter<T> {
  readonly key: Signal<string>;
  readonly direction: Signal<SortDirection>;
  readonly rows: Signal<T[]>;
  toggle(key: string): void;
  /** aria-sort for a header cell */
  ariaSort(key: string): 'ascending' | 'descending' | 'none';
  /** ▲ / ▼ beside the active column's label */
  arrow(key: string): string;
}

function compareValues(a: unknown, b: unknown): number {
  if (a == null && b == null) return 0;
  if (a == null) return -1;
  if (b == null) return 1;
  if (isDecimal(a) && isDecimal(b)) return compareDecimals(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Client-side sorting of a small table (decimal strings compare exactly). */
export function createSorter<T>(
  rows: Signal<readonly T[]>,
  initialKey: string,
  initialDirection: SortDirection = 'desc',
  accessor: (row: T, key: string) => unknown = (row, key) => (row as Record<string, unknown>)[key],
): Sorter<T> {
  const key = signal(initialKey);
  const direction = signal<SortDirection>(initialDirection);
  const sorted = computed(() => {
    const k = key();
    const factor = direction() === 'asc' ? 1 : -1;
    return [...rows()].sort((a, b) => factor * compareValues(accessor(a, k), accessor(b, k)));
  });
  return {
    key,
    direction,
    rows: sorted,
    toggle: (k: string) => {
      if (key() === k) direction.set(direction() === 'asc' ? 'desc' : 'asc');
      else {
        key.set(k);
        direction.set('desc');
      }
    },
    arrow: (k: string) => (key() === k ? (direction() === 'asc' ? '▲' : '▼') : ''),
    ariaSort: (k: string) => (key() === k ? (direction() === 'asc' ? 'ascending' : 'descending') : 'none'),
  };
}
