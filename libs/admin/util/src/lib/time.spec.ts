import { formatAgo, formatDuration } from './time';

describe('time formatting', () => {
  it('reads durations at a glance', () => {
    expect(formatDuration(4)).toBe('4 s');
    expect(formatDuration(185)).toBe('3 min');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(formatAgo('2026-01-01T00:07:00Z', now)).toBe('3 min ago');
    // A past event whose time is a little ahead of the browser's clock (the server's clock runs ahead) is "just now", never "in 3 s".
    expect(formatAgo('2026-01-01T00:10:03Z', now)).toBe('just now');
    expect(formatAgo('2026-01-01T00:11:59Z', now)).toBe('just now');
    expect(formatAgo('2026-01-01T02:10:00Z', now)).toBe("2 h ahead of this computer's clock");
    expect(formatAgo(null, now)).toBe('—');
  });
});
