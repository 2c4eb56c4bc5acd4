import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresScope } from '@polymaker/api/core';
import {
  UpdateWalletSettingsDto,
  WalletOverviewView,
  WalletSeriesQueryDto,
  WalletSeriesView,
} from './dto/wallet.dto';
import { WalletService } from './wallet.service';

/** Balances are readable by every admin-API scope (the RPC URL is shown as its host only); the watch and threshold need admin. */
@ApiTags('wallet')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/wallet')
export class WalletController {
  constructor(private readonly wallet: WalletService) {}

  @Get()
  @ApiOperation({
    operationId: 'getWallet',
    summary: 'Latest balances (per bot, and the watched address), the threshold and alert states',
  })
  @ApiOkResponse({ type: WalletOverviewView })
  overview(): Promise<WalletOverviewView> {
    return this.wallet.overview();
  }

  @Get('series')
  @ApiOperation({
    operationId: 'getWalletSeries',
    summary: 'Balance series from bot metrics and on-chain reads',
  })
  @ApiOkResponse({ type: WalletSeriesView })
  series(@Query() query: WalletSeriesQueryDto): Promise<WalletSeriesView> {
    return this.wallet.series(query);
  }

  @Put('settings')
  @RequiresScope('admin')
  @ApiOperation({
    operationId: 'updateWalletSettings',
    summary:
      'Set the low-balance threshold (one alert per crossing below it) and the watched address and its JSON-RPC URL; null goes back to the environment',
  })
  @ApiOkResponse({ type: WalletOverviewView })
  async update(@Body() body: UpdateWalletSettingsDto): Promise<WalletOverviewView> {
    await this.wallet.updateSettings(body);
    return this.wallet.overview();
  }
}
