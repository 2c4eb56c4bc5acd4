import { crossing } from './low-balance';

describe('low-balance crossing', () => {
  it('alerts once when the balance falls below, not again while it stays below', () => {
    const readings = ['120', '60', '49.99', '40', '10', '55', '30'];
    let below = false;
    const outcomes = readings.map((balance) => {
      const result = crossing(balance, '50', below);
      if (result === 'alert') below = true;
      if (result === 'recovered') below = false;
      return result;
    });
    expect(outcomes).toEqual(['unchanged', 'unchanged', 'alert', 'unchanged', 'unchanged', 'recovered', 'alert']);
  });

  it('treats the threshold itself as not low', () => {
    expect(crossing('50', '50', false)).toBe('unchanged');
  });
});
