import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { csvCell, RequiresScope } from '@polymaker/api/core';
import { Readable } from 'node:stream';
import { TradeFacetsView, TradePageView, TradeQueryDto, TradeView } from './dto/trade.dto';
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
  'botId', // added last: the columns before it keep their positions
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

  @Get('facets')
  @ApiOperation({
    operationId: 'tradeFacets',
    summary:
      'The values the trade filters offer: assets, windows and strategies (bounded lists, cheap to read)',
  })
  @ApiOkResponse({ type: TradeFacetsView })
  facets(): Promise<TradeFacetsView> {
    return this.trades.facets();
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
  async export(@Query() query: TradeQueryDto): Promise<StreamableFile> {
    // The query was validated by the pipe; the first page is read before the 200 goes out, so a
    // failure there is an error response, not a stream cut after its headers.
    const pages = this.trades.all({ ...query, limit: undefined, cursor: undefined });
    const first = await pages.next();
    async function* lines(): AsyncGenerator<string> {
      yield `${CSV_COLUMNS.join(',')}\n`;
      if (first.done) return;
      yield csvRows(first.value);
      for await (const page of pages) yield csvRows(page);
    }
    return new StreamableFile(Readable.from(lines()));
  }
}

function csvRows(page: TradeView[]): string {
  return page.map((trade) => CSV_COLUMNS.map((column) => csvCell(trade[column])).join(',')).join('\n') + '\n';
}
