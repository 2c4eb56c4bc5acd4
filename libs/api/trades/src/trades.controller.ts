import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresScope } from '@polymaker/api/core';
import { Readable } from 'node:stream';
import { TradePageView, TradeQueryDto, TradeView } from './dto/trade.dto';
import { TradesService } from './trades.service';

const CSV_COLUMNS: (keyof TradeView)[] = [
  'id',
  'runId',
  'createdAt',
  'cycle',
  'asset',
  'windowDuration',
  'side',
  'outcome',
  'price',
  'size',
  'strategy',
  'status',
  'fillPrice',
  'fillSize',
  'fillTimestamp',
  'resolvedOutcome',
  'pnl',
  'tokenId',
  'conditionId',
];

/** Trades are read-only here: every admin-API scope may read and export them. */
@ApiTags('trades')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/trades')
export class TradesController {
  constructor(private readonly trades: TradesService) {}

  @Get()
  @ApiOperation({
    operationId: 'listTrades',
    summary: 'Trades matching the filters, one page at a time (keyset pagination: follow nextCursor)',
  })
  @ApiOkResponse({ type: TradePageView })
  list(@Query() query: TradeQueryDto): Promise<TradePageView> {
    return this.trades.page(query);
  }

  @Get('export.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="trades.csv"')
  @ApiOperation({
    operationId: 'exportTradesCsv',
    summary: 'Every trade matching the filters as CSV, streamed',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', schema: { type: 'string' } })
  export(@Query() query: TradeQueryDto): StreamableFile {
    const pages = this.trades.all({ ...query, limit: undefined, cursor: undefined });
    async function* lines(): AsyncGenerator<string> {
      yield `${CSV_COLUMNS.join(',')}\n`;
      for await (const page of pages) {
        yield (
          page.map((trade) => CSV_COLUMNS.map((column) => csvCell(trade[column])).join(',')).join('\n') + '\n'
        );
      }
    }
    return new StreamableFile(Readable.from(lines()));
  }
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quote what CSV needs quoted, and neutralise spreadsheet formulas in text a bot sent.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
