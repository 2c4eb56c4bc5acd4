import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CleanText, QueryId, QueryWholeNumber } from '@polymaker/api/core';
import { IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateIf } from 'class-validator';

export class BotWalletView {
  @ApiProperty({ nullable: true, type: Number, description: 'The API key that reported it' }) apiKeyId!:
    number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'The bot that owns the run (botId: the first key of its rotation chain, as GET /api/v1/bots lists it)',
  })
  botId!: number | null;
  @ApiProperty({ example: 42 }) runId!: number;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String, example: '480.25' }) walletBalance!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '500' }) startingWallet!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '22.5' }) positionValue!: string | null;
}

export class ChainReadingView {
  @ApiProperty({ example: '0x0000000000000000000000000000000000000001' }) address!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String, example: '1234.5' }) usdc!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '3.2' }) pol!: string | null;
}

export class LatestChainReadingView extends ChainReadingView {
  @ApiProperty({ nullable: true, type: String, description: 'Why the last read failed' }) error!:
    string | null;
}

export class WalletAlertStateView {
  @ApiProperty({ example: 'bot:2', description: '"bot:<apiKeyId>" or "chain:<address>"' }) source!: string;
  @ApiProperty({ description: 'Below the threshold now (an alert was sent when it crossed)' })
  below!: boolean;
  @ApiProperty({ example: '40' }) lastBalance!: string;
  @ApiProperty({ example: '50' }) threshold!: string;
  @ApiProperty({ example: 1, description: 'Alerts sent for this source so far' }) alerts!: number;
  @ApiProperty() changedAt!: string;
}

export class WalletOverviewView {
  @ApiProperty({
    nullable: true,
    type: String,
    example: '50',
    description: 'USDC; null: no low-balance alert',
  })
  lowBalanceThreshold!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The public address read on chain (Settings, else WALLET_ADDRESS)',
  })
  watchedAddress!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'polygon-rpc.com',
    description: 'Host of the JSON-RPC URL in use (the URL itself may hold a secret)',
  })
  rpcHost!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 300 }) pollSeconds!: number | null;
  @ApiProperty({ type: [BotWalletView], description: 'The latest balance each bot reported' })
  bots!: BotWalletView[];
  @ApiProperty({ type: LatestChainReadingView, nullable: true }) chain!: LatestChainReadingView | null;
  @ApiProperty({ type: [WalletAlertStateView] }) alerts!: WalletAlertStateView[];
}

export class WalletSeriesView {
  @ApiProperty({ type: [BotWalletView], description: 'From the bots’ metric pushes, oldest first' })
  bot!: BotWalletView[];
  @ApiProperty({ type: [ChainReadingView], description: 'Reads of the watched address, oldest first' })
  chain!: ChainReadingView[];
}

export class WalletSeriesQueryDto {
  @ApiPropertyOptional({ example: 42 })
  @IsOptional()
  @QueryId()
  runId?: number;

  @ApiPropertyOptional({ example: 2, description: 'Only this bot (API key)' })
  @IsOptional()
  @QueryId()
  apiKeyId?: number;

  @ApiPropertyOptional({ example: 2000, minimum: 1, maximum: 100000 })
  @IsOptional()
  @QueryWholeNumber(1, 100_000)
  limit?: number;
}

export class UpdateWalletSettingsDto {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '50',
    description: 'USDC; null: back to WALLET_LOW_BALANCE',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(/^\d{1,12}(\.\d{1,8})?$/, { message: 'lowBalanceThreshold must be an amount such as 50 or 12.5' })
  lowBalanceThreshold?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '0x00000000000000000000000000000000000000A1',
    description: 'Public address to watch on chain; null: back to WALLET_ADDRESS',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(/^0x[0-9a-fA-F]{40}$/, { message: 'watchAddress must be a public address: 0x and 40 hex digits' })
  watchAddress?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://polygon-rpc.com',
    description: 'Polygon JSON-RPC URL; null: back to WALLET_RPC_URL',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2000)
  @CleanText()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'rpcUrl must be an http(s) URL' },
  )
  rpcUrl?: string | null;
}
