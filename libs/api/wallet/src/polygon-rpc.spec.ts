import { balanceOfCallData, formatUnits } from './polygon-rpc';

describe('polygon rpc helpers', () => {
  it('encodes balanceOf(address) call data', () => {
    expect(balanceOfCallData('0xAbCdEf0000000000000000000000000000000001')).toBe(
      '0x70a08231000000000000000000000000abcdef0000000000000000000000000000000001',
    );
  });

  it('formats integer units exactly', () => {
    expect(formatUnits('0x' + (123_456_789n).toString(16), 6)).toBe('123.456789');
    expect(formatUnits('0x' + (10n ** 18n * 3n + 5n).toString(16), 18)).toBe('3.000000000000000005');
    expect(formatUnits('0x0', 6)).toBe('0');
    expect(formatUnits('0x', 6)).toBe('0');
  });
});
