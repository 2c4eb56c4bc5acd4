import { csvCell } from './trades.controller';

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
