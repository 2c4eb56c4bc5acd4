import { PayloadReader } from '@polymaker/api/core';
import { TRADE_STATUSES, TradeSide, TradeStatus } from './entities/trade.entity';

export interface NewTrade {
  runId: number;
  cycle: number;
  asset: string;
  windowDuration: string;
  side: TradeSide;
  outcome: string;
  price: string;
  size: string;
  strategy: string | null;
  conditionId: string | null;
  tokenId: string | null;
  extra: Record<string, unknown>;
}

export interface TradeUpdate {
  tradeId: number;
  status?: TradeStatus;
  fillPrice?: string | null;
  fillSize?: string | null;
  fillTimestamp?: string | null;
  resolvedOutcome?: string | null;
  pnl?: string | null;
  extra: Record<string, unknown>;
}

/** Reads one trade as the bot's log_trade sends it; problems are collected on the reader. */
export function readNewTrade(reader: PayloadReader): NewTrade {
  const trade: NewTrade = {
    runId: reader.integer('runId', { required: true, min: 1 }),
    cycle: reader.integer('cycle', { required: true, min: 0 }),
    asset: reader.string('asset', { required: true, maxLength: 40 }),
    windowDuration: reader.string('windowDuration', { required: true, maxLength: 20 }),
    side: reader.oneOf('side', ['buy', 'sell'] as const, { required: true }),
    outcome: reader.string('outcome', { required: true, maxLength: 100 }),
    price: reader.decimal('price', { required: true, min: '0', max: '1' }),
    size: reader.decimal('size', { required: true, min: '0', exclusiveMin: true, max: '100000000000' }),
    strategy: reader.string('strategy', { maxLength: 100 }),
    conditionId: reader.string('conditionId', { maxLength: 200 }),
    tokenId: reader.string('tokenId', { maxLength: 200 }),
    extra: {},
  };
  trade.extra = reader.rest();
  return trade;
}

/** Reads a trade/update body: only the fields sent are changed. */
export function readTradeUpdate(reader: PayloadReader): TradeUpdate {
  const update: TradeUpdate = { tradeId: reader.integer('tradeId', { required: true, min: 1 }), extra: {} };
  if (reader.has('status')) update.status = reader.oneOf('status', TRADE_STATUSES) ?? undefined;
  if (reader.has('fillPrice')) update.fillPrice = reader.decimal('fillPrice', { min: '0', max: '1' });
  if (reader.has('fillSize')) update.fillSize = reader.decimal('fillSize', { min: '0', max: '100000000000' });
  if (reader.has('fillTimestamp')) update.fillTimestamp = reader.timestampText('fillTimestamp');
  if (reader.has('resolvedOutcome'))
    update.resolvedOutcome = reader.string('resolvedOutcome', { maxLength: 100 });
  if (reader.has('pnl')) update.pnl = reader.decimal('pnl', { min: '-100000000000', max: '100000000000' });
  update.extra = reader.rest();
  return update;
}
