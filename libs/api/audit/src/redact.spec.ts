import { csvCell } from '@polymaker/api/core';
import { REDACTED, redact } from './redact';

describe('audit redaction', () => {
  it('replaces fields named like secrets at any depth, keeping what changed visible', () => {
    const out = redact({
      secret: 'pmk_admin_abcdefghijklmnopqrstuvwxyz012345',
      hash: 'f'.repeat(64),
      nested: { password: 'hunter2', token: 'abc', list: [{ authorization: 'Bearer x' }] },
      smtpUrl: 'smtp://mailer:hunter2@mail.example.com:587',
      name: 'ops laptop',
      enabled: true,
    });
    expect(out).toEqual({
      secret: REDACTED,
      hash: REDACTED,
      nested: { password: REDACTED, token: REDACTED, list: [{ authorization: REDACTED }] },
      smtpUrl: 'smtp://mailer:***@mail.example.com:587',
      name: 'ops laptop',
      enabled: true,
    });
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('masks a password in any URL and drops API-key-looking values wherever they are', () => {
    expect(redact({ note: 'https://user:pw123@host.example/path?x=1' })).toEqual({
      note: 'https://user:***@host.example/path?…',
    });
    expect(redact(['pmk_bot_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', 'pmk_bot_7Hq2'])).toEqual([
      REDACTED,
      'pmk_bot_7Hq2',
    ]);
    expect(redact({ values: { mmSpreadMin: 0.02, constructor: 'kept' } })).toEqual({
      values: { mmSpreadMin: 0.02, constructor: 'kept' },
    });
  });
});

describe('audit CSV cells', () => {
  it('neutralises formulas; only exact numbers are exempt', () => {
    expect(csvCell("-1+cmd|' /C calc'!A0")).toBe("'-1+cmd|' /C calc'!A0");
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell('-1.5')).toBe('-1.5');
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell({ a: 1, b: 'x' })).toBe('"{""a"":1,""b"":""x""}"');
    expect(csvCell(null)).toBe('');
  });
});
