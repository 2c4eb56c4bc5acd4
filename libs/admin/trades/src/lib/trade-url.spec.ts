import { DEFAULT_VIEW, choicesWith, readTradeUrl, tradeFilterOf, tradeUrlParams } from './trade-url';

const url = (query: string) => readTradeUrl(new URLSearchParams(query));

describe('the Trades page URL', () => {
  it('reads every filter, the sort and the page size from the query string', () => {
    const { view, problems } = url(
      'bot=3&runId=12&asset=BTC&window=15m&side=sell&outcome=Down&status=filled&strategy=MM&from=2026-12-01T10:00:00Z&sort=price&order=asc&limit=500',
    );
    expect(problems).toEqual([]);
    expect(view).toEqual({
      runId: 12,
      botId: 3,
      asset: 'BTC',
      window: '15m',
      side: 'sell',
      outcome: 'Down',
      status: 'filled',
      strategy: 'MM',
      from: '2026-12-01T10:00:00.000Z',
      to: '',
      sort: 'price',
      order: 'asc',
      limit: 500,
    });
    expect(tradeFilterOf(view)).toMatchObject({
      botId: 3,
      runId: 12,
      asset: 'BTC',
      from: '2026-12-01T10:00:00.000Z',
      to: undefined,
      limit: 500,
    });
  });

  it('writes a view back to the same query string, leaving defaults out', () => {
    const { view } = url('bot=3&asset=ETH&status=placed&sort=size');
    const params = tradeUrlParams(view);
    expect(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null))).toEqual({
      bot: '3',
      asset: 'ETH',
      status: 'placed',
      sort: 'size',
    });
    const again = new URLSearchParams(
      Object.entries(params).filter((e): e is [string, string] => e[1] !== null),
    );
    expect(readTradeUrl(again).view).toEqual(view);
    expect(Object.values(tradeUrlParams(DEFAULT_VIEW)).every((v) => v === null)).toBe(true);
  });

  it('names why an unknown value can match no trade, instead of sending it', () => {
    expect(url('side=sideways').problems).toEqual(['side "sideways" is not one of buy, sell']);
    expect(url('status=lost').problems).toEqual([
      'status "lost" is not one of placed, filled, cancelled, failed',
    ]);
    expect(url('bot=abc').problems).toEqual(['bot "abc" is not an id']);
    expect(url('bot=0').problems).toEqual(['bot "0" is not an id']);
    expect(url('bot=1e3').problems).toEqual(['bot "1e3" is not an id']);
    expect(url('runId=99999999999999999999').problems).toEqual(['run "99999999999999999999" is not an id']);
    expect(url(`asset=${'A'.repeat(41)}`).problems).toEqual(['asset is longer than 40 characters']);
    expect(url('from=yesterday').problems).toEqual(['from "yesterday" is not a date']);
    // a well-formed value the data does not have is simply sent: the API answers with no trades
    expect(url('asset=DOGE&outcome=Maybe&bot=424242').problems).toEqual([]);
  });

  it('falls back to the defaults for an unknown sort, order or page size', () => {
    expect(url('sort=pnl&order=up&limit=7').view).toMatchObject({ sort: 'id', order: 'desc', limit: 100 });
  });

  it("keeps a shared link's value among a select's choices", () => {
    expect(choicesWith(['BTC', 'ETH'], 'DOGE')).toEqual(['BTC', 'ETH', 'DOGE']);
    expect(choicesWith(['BTC', 'ETH'], 'ETH')).toEqual(['BTC', 'ETH']);
    expect(choicesWith(['BTC'], '')).toEqual(['BTC']);
  });
});
