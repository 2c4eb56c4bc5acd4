import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueryId } from '@polymaker/api/core';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';

export const PNL_PERIODS = ['day', 'week', 'month'] as const;
export type PnlPeriod = (typeof PNL_PERIODS)[number];
export const PNL_GROUPS = ['fleet', 'bot', 'asset', 'window'] as const;
export type PnlGroup = (typeof PNL_GROUPS)[number];

export class PnlCalendarQueryDto {
  @ApiPropertyOptional({
    enum: PNL_PERIODS,
    default: 'day',
    description: 'Bucket size; weeks start on Monday (ISO weeks)',
  })
  @IsOptional()
  @IsIn(PNL_PERIODS)
  period?: PnlPeriod;

  @ApiPropertyOptional({
    enum: PNL_GROUPS,
    default: 'fleet',
    description: 'One row per bucket (fleet) or per bucket and bot, asset or window',
  })
  @IsOptional()
  @IsIn(PNL_GROUPS)
  groupBy?: PnlGroup;

  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'First day (a calendar date in timeZone); default: the start of the default range',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'Last day, included (a calendar date in timeZone); default: today',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({
    example: 'Europe/Berlin',
    default: 'UTC',
    description: 'IANA time zone the days are cut in (the admin app sends the browser’s for "local")',
  })
  @IsOptional()
  @MaxLength(64)
  @Matches(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, {
    message: 'timeZone must be an IANA time zone name such as UTC or Europe/Berlin',
  })
  timeZone?: string;

  @ApiPropertyOptional({ description: 'Only this bot’s trades' })
  @IsOptional()
  @QueryId()
  botId?: number;
}

export class PnlBucketView {
  @ApiProperty({ example: '2026-11-30', description: 'First day of the bucket, in the time zone asked for' })
  start!: string;
  @ApiProperty({
    example: 'BTC',
    description: "The bot id, asset or window; '' when grouped by fleet or the trade has none",
  })
  key!: string;
  @ApiProperty({ example: '12.5', description: 'Realised P&L (exact sum of the resolved trades’ P&L, USDC)' })
  pnl!: string;
  @ApiProperty({ description: 'Resolved trades' }) trades!: number;
  @ApiProperty() wins!: number;
  @ApiProperty() losses!: number;
}

export class PnlTotalView {
  @ApiProperty({ example: 'BTC' }) key!: string;
  @ApiProperty({ example: '40.1' }) pnl!: string;
  @ApiProperty() trades!: number;
}

export class PnlCalendarView {
  @ApiProperty({ enum: PNL_PERIODS }) period!: PnlPeriod;
  @ApiProperty({ enum: PNL_GROUPS }) groupBy!: PnlGroup;
  @ApiProperty({ example: 'UTC' }) timeZone!: string;
  @ApiProperty({ example: '2026-11-01' }) from!: string;
  @ApiProperty({ example: '2026-11-30' }) to!: string;
  @ApiProperty({
    type: [PnlBucketView],
    description: 'Buckets with resolved trades, oldest first (a bucket without any is absent: 0)',
  })
  buckets!: PnlBucketView[];
  @ApiProperty({ type: [PnlTotalView], description: 'The range’s total per key' }) totals!: PnlTotalView[];
  @ApiProperty({ example: '40.1', description: 'The range’s total' }) total!: string;
  @ApiProperty() trades!: number;
}
