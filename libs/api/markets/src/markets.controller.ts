import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { BadInputError, RequiresScope } from '@polymaker/api/core';
import { MarketListView } from './dto/market.dto';
import { MarketsService } from './markets.service';

@ApiTags('markets')
@ApiSecurity('api-key')
@RequiresScope('admin')
@Controller('v1/markets')
export class MarketsController {
  constructor(private readonly markets: MarketsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listMarkets',
    summary: 'The watchlist: reported markets by asset and window with expiry and activity',
  })
  @ApiQuery({ name: 'includeExpired', required: false, type: Boolean })
  @ApiOkResponse({ type: MarketListView })
  async list(@Query('includeExpired') includeExpired?: unknown): Promise<MarketListView> {
    if (includeExpired !== undefined && includeExpired !== 'true' && includeExpired !== 'false') {
      const rule = 'includeExpired must be true or false (given once)';
      throw new BadInputError(`Invalid request: ${rule}`, [{ field: 'includeExpired', message: rule }]);
    }
    return { items: await this.markets.watchlist(includeExpired === 'true') };
  }
}
