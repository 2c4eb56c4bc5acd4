import { Assignment, FleetRules, Pause, resolveBot } from './resolve';

const assignment = (
  id: number,
  kind: 'bot' | 'tag',
  target: string,
  configId: number,
  assignedAt: string,
): Assignment => ({ id, kind, target, configId, assignedAt, assignedBy: null });
const pause = (id: number, kind: 'fleet' | 'tag' | 'bot', target: string, pausedAt: string): Pause => ({
  id,
  kind,
  target,
  pausedAt,
  pausedBy: 'admin',
});

describe('resolveBot: bot over tag over the fleet default', () => {
  const rules: FleetRules = {
    tagsOf: new Map([
      [1, ['vps-1', 'btc-only']],
      [2, ['vps-1']],
      [3, []],
    ]),
    assignments: [
      assignment(1, 'tag', 'vps-1', 5, '2026-12-01T10:00:00.000Z'),
      assignment(2, 'tag', 'btc-only', 6, '2026-12-01T11:00:00.000Z'),
      assignment(3, 'bot', '2', 7, '2026-12-01T09:00:00.000Z'),
    ],
    pauses: [],
  };

  it("serves a bot's own assignment before its tags'", () => {
    expect(resolveBot(2, rules)).toMatchObject({ configId: 7, rule: 'bot', pause: null });
  });

  it('serves the latest-assigned of its tags when it has several', () => {
    expect(resolveBot(1, rules)).toMatchObject({ configId: 6, rule: 'tag:btc-only' });
  });

  it('serves the fleet default to a bot with nothing assigned', () => {
    expect(resolveBot(3, rules)).toMatchObject({ configId: null, rule: 'default' });
    expect(resolveBot(99, rules)).toMatchObject({ configId: null, rule: 'default' });
  });

  it('pauses a bot covered by the fleet, one of its tags or itself, and names the earliest pause', () => {
    const paused: FleetRules = {
      ...rules,
      pauses: [
        pause(1, 'tag', 'btc-only', '2026-12-02T12:00:00.000Z'),
        pause(2, 'bot', '3', '2026-12-02T12:05:00.000Z'),
      ],
    };
    expect(resolveBot(1, paused).pause?.id).toBe(1);
    expect(resolveBot(2, paused).pause).toBeNull();
    expect(resolveBot(3, paused).pause?.id).toBe(2);
    const fleet: FleetRules = {
      ...paused,
      pauses: [...paused.pauses, pause(3, 'fleet', '', '2026-12-02T11:00:00.000Z')],
    };
    expect(resolveBot(2, fleet).pause?.id).toBe(3);
    expect(resolveBot(1, fleet).pause?.id).toBe(3);
  });
});
