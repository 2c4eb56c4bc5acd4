import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresScope } from '@polymaker/api/core';
import { MarketListView, MarketQueryDto } from './dto/market.dto';
import { MarketsService } from './markets.service';

/** The watchlist: readable by every admin-API scope. */
@ApiTags('markets')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/markets')
export class MarketsController {
  constructor(private readonly markets: MarketsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listMarkets',
    summary:
      'The watchlist: reported markets by asset and window with expiry and activity, one row per market, paged',
  })
  @ApiOkResponse({ type: MarketListView })
  list(@Query() query: MarketQueryDto): Promise<MarketListView> {
    return this.markets.watchlist(query);
  }
}
