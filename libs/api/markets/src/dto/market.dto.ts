import { ApiProperty } from '@nestjs/swagger';

export class MarketView {
  @ApiProperty()
  id!: number;
  @ApiProperty({ example: 'BTC' })
  asset!: string;
  @ApiProperty({ example: '15m' })
  window!: string;
  @ApiProperty({ nullable: true, type: String, example: 'btc-updown-15m-1764000000' })
  windowId!: string | null;
  @ApiProperty({ description: 'CLOB token id of the Up outcome', example: '7132104567925221259462638553270691275033' })
  tokenId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'CLOB token id of the Down outcome' })
  tokenIdDown!: string | null;
  @ApiProperty({ nullable: true, type: String })
  conditionId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds until expiry (negative: expired)' })
  secondsToExpiry!: number | null;
  @ApiProperty({ format: 'date-time' })
  firstReportedAt!: string;
  @ApiProperty({ format: 'date-time' })
  lastReportedAt!: string;
  @ApiProperty()
  reportCount!: number;
  @ApiProperty({ description: 'Trades logged on either token of this market' })
  tradeCount!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastTradeAt!: string | null;
}

export class MarketListView {
  @ApiProperty({ type: [MarketView] })
  items!: MarketView[];
}
