/**
 * The bot traffic the history and A/B benches share: bot keys made through the admin API, a run per
 * key, and a POST /api/bot/trade closed loop with one key and one run per connection.
 */
import { request } from '../testing/http-client';
import { bodyRing, closedLoop, LoadResult } from './load';

export async function createBotKey(
  url: string,
  adminKey: string,
  name: string,
): Promise<{ secret: string; botId: number; keyId: number }> {
  const { status, body } = await request<{ secret?: string; apiKey?: { id: number; botId: number } }>(
    url,
    'POST',
    '/api/v1/api-keys',
    { key: adminKey, body: { name, scope: 'bot' } },
  );
  if (status < 200 || status >= 300 || !body.secret || !body.apiKey)
    throw new Error(`creating a bot key failed: ${status} ${JSON.stringify(body)}`);
  return { secret: body.secret, botId: body.apiKey.botId, keyId: body.apiKey.id };
}

export async function startRun(url: string, key: string): Promise<number> {
  const { status, body } = await request<{ runId?: number }>(url, 'POST', '/api/bot/run/start', {
    key,
    body: { mode: 'dry_run', startingBankroll: 500 },
  });
  if (typeof body.runId !== 'number') throw new Error(`run/start failed: ${status} ${JSON.stringify(body)}`);
  return body.runId;
}

/** POST /api/bot/trade closed loop for `seconds`, one key and one run per connection. */
export async function insertLoop(
  url: string,
  keys: string[],
  runIds: number[],
  seconds: number,
): Promise<LoadResult> {
  const assets = ['BTC', 'ETH', 'SOL', 'XRP'];
  const perConnection = keys.map((key, i) => {
    let cycle = 0;
    return {
      headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
      body: bodyRing(() => ({
        runId: runIds[i],
        cycle: ++cycle,
        asset: assets[cycle % 4],
        windowDuration: cycle % 3 === 0 ? '15m' : '5m',
        side: 'buy',
        outcome: cycle % 2 ? 'Up' : 'Down',
        price: String((5 + (cycle % 90)) / 100),
        size: String(1 + (cycle % 40) / 2),
        strategy: 'MM',
        tokenId: `live-${i}-${cycle % 50}`,
      })),
    };
  });
  return closedLoop({ url, method: 'POST', path: '/api/bot/trade' }, keys.length, seconds, 1, perConnection);
}
