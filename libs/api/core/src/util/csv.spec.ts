import { csvCell } from './csv';

describe('csvCell', () => {
  it('quotes what CSV needs quoted', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0.5)).toBe('0.5');
  });

  it('neutralises spreadsheet formulas a bot could have sent, but not negative numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-0.48')).toBe('-0.48');
  });
});

describe('csvCell formula guard (only exact numbers are exempt)', () => {
  it.each([
    ["-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"],
    ['-2-3', "'-2-3"],
    ['-1e5', "'-1e5"],
    ['-1.5.2', "'-1.5.2"],
    ['+1', "'+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t-1', "'\t-1"],
  ])('guards %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each(['-1', '-0.48', '-12.5', '0', '12', 'BTC'])('leaves %j as is', (input) => {
    expect(csvCell(input)).toBe(input);
  });
});
