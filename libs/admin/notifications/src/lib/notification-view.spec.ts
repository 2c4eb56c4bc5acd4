import type { Delivery, NotificationItem } from '@polymaker/admin/data-access';
import { deliverySummary, replaceItem } from './notification-view';

describe('notification helpers', () => {
  it('summarises deliveries per channel', () => {
    expect(deliverySummary([])).toBe('in-app only');
    expect(
      deliverySummary([
        { channel: 'email', status: 'sent', attempts: 1 },
        { channel: 'webhook', status: 'pending', attempts: 3 },
      ] as Delivery[]),
    ).toBe('email sent · webhook pending (3 attempts)');
  });

  it('replaces a notification and keeps the unread count right', () => {
    const items = [
      { id: 1, read: false },
      { id: 2, read: true },
    ] as NotificationItem[];
    expect(replaceItem(items, { id: 1, read: true } as NotificationItem, 1)).toEqual({
      items: [
        { id: 1, read: true },
        { id: 2, read: true },
      ],
      unread: 0,
    });
    expect(replaceItem(items, { id: 2, read: false } as NotificationItem, 1).unread).toBe(2);
    expect(replaceItem(items, { id: 2, read: true } as NotificationItem, 1).unread).toBe(1);
  });
});
