import type { Delivery, NotificationItem } from '@polymaker/admin/data-access';

export const KIND_LABELS: Record<NotificationItem['kind'], string> = {
  'run-summary': 'Run summary',
  'run-error': 'Run error',
  'run-stale': 'Run stale',
  'wallet-low': 'Wallet low',
  test: 'Test',
};

/** One line on where a notification went: "email sent · webhook failed (3 attempts)". */
export function deliverySummary(deliveries: readonly Delivery[]): string {
  if (!deliveries.length) return 'in-app only';
  return deliveries
    .map(
      (d) =>
        `${d.channel} ${d.status}${d.status !== 'sent' && d.attempts ? ` (${d.attempts} attempt${d.attempts === 1 ? '' : 's'})` : ''}`,
    )
    .join(' · ');
}

/** Replaces one notification in a list (after mark read/unread) and returns the new unread count. */
export function replaceItem(
  items: readonly NotificationItem[],
  updated: NotificationItem,
  unread: number,
): { items: NotificationItem[]; unread: number } {
  const before = items.find((n) => n.id === updated.id);
  const delta = before && before.read !== updated.read ? (updated.read ? -1 : 1) : 0;
  return {
    items: items.map((n) => (n.id === updated.id ? updated : n)),
    unread: Math.max(0, unread + delta),
  };
}
