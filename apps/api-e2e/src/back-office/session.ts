import { sql } from './loopback';

export type Json = Record<string, unknown>;
/** What tools/testing/http-client's request() returns (the part used here). */
interface JsonResponse<T = Json> {
  status: number;
  body: T;
  text: string;
}
type Call = <T = Json>(method: string, path: string, body?: unknown) => Promise<JsonResponse<T>>;

export interface SessionOptions {
  configId?: number;
  bankroll?: number;
  trades?: number;
  fills?: number;
  /** P&L of each filled trade (as the bot reports it). */
  pnlPerFill?: number;
  /** Make the run look this many minutes long (its start is moved back in the database). */
  minutes?: number;
  metrics?: Json;
  status?: 'completed' | 'stopped' | 'error';
  errorMessage?: string;
  stop?: boolean;
  /** Give each asset's trades one market window (a conditionId), so the fill-based scores apply. */
  windows?: boolean;
}

/** Plays a bot session over HTTP: start, a batch of trades, fills, a metrics push, stop. */
export async function playSession(
  bot: Call,
  databaseUrl: string,
  options: SessionOptions = {},
): Promise<{ runId: number; stop: JsonResponse | null }> {
  const configId = options.configId ?? ((await bot('GET', '/api/bot/config')).body['id'] as number);
  const started = await bot('POST', '/api/bot/run/start', {
    configId,
    mode: 'dry_run',
    startingBankroll: options.bankroll ?? 500,
  });
  if (started.status !== 201) throw new Error(`run/start answered ${started.status}: ${started.text}`);
  const runId = started.body['runId'] as number;
  const count = options.trades ?? 4;
  if (count > 0) {
    const trades = Array.from({ length: count }, (_, i) => ({
      runId,
      cycle: i,
      asset: ['BTC', 'ETH'][i % 2],
      windowDuration: '15m',
      side: 'buy',
      outcome: i % 2 ? 'Up' : 'Down',
      price: 0.5,
      size: 10,
      strategy: 'MM',
      ...(options.windows ? { conditionId: `0x${runId}${['b', 'e'][i % 2]}` } : {}),
    }));
    const batch = await bot<{ tradeIds: number[] }>('POST', '/api/bot/trade/batch', { trades });
    if (batch.status !== 201) throw new Error(`trade/batch answered ${batch.status}: ${batch.text}`);
    const fills = options.fills ?? 2;
    for (const tradeId of batch.body.tradeIds.slice(0, fills)) {
      await bot('POST', '/api/bot/trade/update', {
        tradeId,
        status: 'filled',
        fillPrice: 0.5,
        fillSize: 10,
        pnl: options.pnlPerFill ?? 0.25,
      });
    }
  }
  if (options.metrics) await bot('POST', '/api/bot/run/update', { runId, ...options.metrics });
  if (options.minutes) {
    await sql(databaseUrl, 'update runs set started_at = now() - make_interval(mins => $1) where id = $2', [
      options.minutes,
      runId,
    ]);
  }
  if (options.stop === false) return { runId, stop: null };
  const stop = await bot('POST', '/api/bot/run/stop', {
    runId,
    status: options.status ?? 'completed',
    ...(options.errorMessage ? { errorMessage: options.errorMessage } : {}),
  });
  return { runId, stop };
}
