import { balanceOfCallData } from './polygon-rpc';

describe('polygon rpc helpers', () => {
  it('encodes balanceOf(address) call data', () => {
    expect(balanceOfCallData('0xAbCdEf0000000000000000000000000000000001')).toBe(
      '0x70a08231000000000000000000000000abcdef0000000000000000000000000000000001',
    );
  });
});
