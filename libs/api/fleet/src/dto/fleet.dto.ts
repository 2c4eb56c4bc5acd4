import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ID, QueryId } from '@polymaker/api/core';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class PauseRefView {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ enum: ['fleet', 'tag', 'bot'] }) kind!: 'fleet' | 'tag' | 'bot';
  @ApiProperty({ example: 'vps-1', description: "'' for the fleet, the tag, or the bot id" }) target!: string;
  @ApiProperty() pausedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The name of the admin key that paused' })
  pausedBy!: string | null;
}

export class BotMetricsView {
  @ApiProperty({ example: 12 }) runId!: number;
  @ApiProperty({ description: 'When that run last pushed' }) at!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Its latest metrics as pushed (contract keys normalised, others as sent)',
  })
  values!: Record<string, unknown>;
}

export class BotView {
  @ApiProperty({ example: 2, description: 'The first key of its rotation chain (botId of the API keys)' })
  botId!: number;
  @ApiProperty({ example: 'bot-vps-1', description: 'The name of its newest key' }) name!: string;
  @ApiProperty({ example: 'pmk_bot_3f9a' }) keyPrefix!: string;
  @ApiProperty({ description: 'false: every key of the bot is revoked or expired' }) keyActive!: boolean;
  @ApiProperty({ type: [String], example: ['vps-1', 'btc-only'] }) tags!: string[];
  @ApiProperty({
    enum: ['running', 'idle', 'stale', 'paused'],
    description: 'paused: a pause covers it; stale: a run is open but has sent nothing for 5 min',
  })
  state!: 'running' | 'idle' | 'stale' | 'paused';
  @ApiProperty() runningRuns!: number;
  @ApiProperty() runs!: number;
  @ApiProperty({ description: 'Runs that ended with status error' }) errorRuns!: number;
  @ApiProperty({ nullable: true, type: String }) lastUpdateAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The version it is assigned (null: the fleet default, the active version)',
  })
  assignedConfigId!: number | null;
  @ApiProperty({
    example: 'tag:vps-1',
    description: "Why: 'bot' (its own assignment), 'tag:<name>' or 'default'",
  })
  assignmentRule!: string;
  @ApiProperty({ type: PauseRefView, nullable: true, description: 'The pause that covers it' })
  paused!: PauseRefView | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The version its last config poll was answered with',
  })
  lastServedConfigId!: number | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Whether that answer said pauseOrders: true' })
  lastServedPaused!: boolean | null;
  @ApiProperty({ nullable: true, type: String }) lastPolledAt!: string | null;
  @ApiProperty({
    example: '12.5',
    description: 'Realised P&L: the exact sum of its resolved trades’ P&L (USDC)',
  })
  realisedPnl!: string;
  @ApiProperty({
    example: '14.1',
    description: 'The sum of its runs’ totalPnl as the bot reports it (may include unrealised value)',
  })
  reportedPnl!: string;
  @ApiProperty({ example: '1.25', description: 'Realised P&L of its trades logged since 00:00 UTC today' })
  realisedPnlToday!: string;
  @ApiProperty({ example: '7.5', description: 'Realised P&L of its trades logged in the last 7 × 24 hours' })
  realisedPnl7d!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '0.8',
    description:
      'Unrealised P&L now: its open runs’ reported totalPnl minus their realised P&L (null: no open run)',
  })
  unrealisedPnl!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Its latest reported walletBalance: that of its newest (latest started) run that has reported one; not a sum over runs',
  })
  walletBalance!: string | null;
  @ApiProperty({
    type: BotMetricsView,
    nullable: true,
    description: 'The latest metrics it pushed (its run updated last)',
  })
  lastMetrics!: BotMetricsView | null;
  @ApiProperty() orders!: number;
  @ApiProperty() fills!: number;
  @ApiProperty() failedOrders!: number;
  @ApiProperty({ nullable: true, type: Number, example: 0.42, description: 'fills / orders' }) fillRate!:
    number | null;
}

export class BotListView {
  @ApiProperty({ type: [BotView] }) items!: BotView[];
}

export class SetTagsDto {
  @ApiProperty({
    type: [String],
    example: ['vps-1', 'btc-only'],
    description: 'Replaces the tags; at most 16, each 1-40 of a-z 0-9 . _ : -',
  })
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  tags!: string[];
}

export class AssignmentView {
  @ApiProperty({ example: 1 }) id!: number;
  @ApiProperty({ enum: ['bot', 'tag'] }) kind!: 'bot' | 'tag';
  @ApiProperty({ example: 'vps-1', description: 'The tag, or the bot id' }) target!: string;
  @ApiProperty({ example: 7 }) configId!: number;
  @ApiProperty() assignedAt!: string;
  @ApiProperty({ nullable: true, type: String }) assignedBy!: string | null;
}

export class AssignmentListView {
  @ApiProperty({ type: [AssignmentView] }) items!: AssignmentView[];
}

export class AssignDto {
  @ApiPropertyOptional({ example: 2, description: 'One bot (give botId or tag)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  botId?: number;

  @ApiPropertyOptional({ example: 'vps-1', description: 'Every bot with this tag' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  tag?: string;

  @ApiProperty({ example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  configId!: number;
}

export class PauseTargetDto {
  @ApiPropertyOptional({ enum: ['fleet'], description: "'fleet' for every bot; else give botId or tag" })
  @IsOptional()
  @IsIn(['fleet'])
  scope?: 'fleet';

  @ApiPropertyOptional({ example: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  botId?: number;

  @ApiPropertyOptional({ example: 'vps-1' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  tag?: string;
}

export class WaitingBotView {
  @ApiProperty() botId!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Its last config poll (null: never polled)' })
  lastPolledAt!: string | null;
}

export class PauseView extends PauseRefView {
  @ApiProperty({ description: 'Bots it covers (with an active key)' }) bots!: number;
  @ApiProperty({ description: 'Of those, bots whose config poll since the pause said pauseOrders: true' })
  fetched!: number;
  @ApiProperty({ type: [WaitingBotView], description: 'Bots that have not fetched it yet' })
  waiting!: WaitingBotView[];
}

export class PauseListView {
  @ApiProperty({ type: [PauseView] }) items!: PauseView[];
}

export class ConfigSpanView {
  @ApiProperty({ example: 7 }) configId!: number;
  @ApiProperty({ nullable: true, type: String, description: 'The version’s note' }) note!: string | null;
  @ApiProperty({ description: 'Whether it was served with pauseOrders: true' }) paused!: boolean;
  @ApiProperty({ description: 'Its first poll answered with this version (and pause state)' }) from!: string;
  @ApiProperty({ description: 'Its last poll answered with it' }) lastSeenAt!: string;
}

export class ConfigSpanListView {
  @ApiProperty({ type: [ConfigSpanView], description: 'Newest first, at most 50' }) items!: ConfigSpanView[];
}

export class ExposureLegView {
  @ApiProperty({ example: '10', description: 'Net filled shares (buys minus sells)' }) size!: string;
  @ApiProperty({ example: '5.2', description: 'Their net cost (USDC)' }) cost!: string;
}

export class ExposureOtherView extends ExposureLegView {
  @ApiProperty({ example: 'Unknown' }) outcome!: string;
}

export class ExposureView {
  @ApiProperty({ nullable: true, type: Number }) botId!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The bot’s name (as on the Bots page)' })
  botName!: string | null;
  @ApiProperty({ description: 'The market window: its condition id, else a token id, else asset/window' })
  market!: string;
  @ApiProperty({ nullable: true, type: String }) conditionId!: string | null;
  @ApiProperty({ example: 'BTC' }) asset!: string;
  @ApiProperty({ example: '15m' }) window!: string;
  @ApiProperty({ type: ExposureLegView }) up!: ExposureLegView;
  @ApiProperty({ type: ExposureLegView }) down!: ExposureLegView;
  @ApiProperty({
    type: [ExposureOtherView],
    description: 'Fills on an outcome other than Up/Down (e.g. Unknown)',
  })
  other!: ExposureOtherView[];
  @ApiProperty({ example: '8', description: 'Shares held on both sides (the smaller side)' }) hedged!: string;
  @ApiProperty({
    example: '2',
    description: 'Shares on one side only: what a resolution against that side loses',
  })
  oneSided!: string;
  @ApiProperty({ nullable: true, enum: ['Up', 'Down'], description: 'The heavier side (null: balanced)' })
  oneSidedOutcome!: 'Up' | 'Down' | null;
  @ApiProperty() fills!: number;
  @ApiProperty() lastFillAt!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'From the bots’ market reports (null: not reported)',
  })
  expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Negative: expired, not resolved yet' })
  secondsToExpiry!: number | null;
  @ApiProperty({ description: 'One-sided and expiring within 120 s (or expired unresolved)' })
  atRisk!: boolean;
}

export class ExposureListView {
  @ApiProperty({ type: [ExposureView], description: 'Soonest expiry first' }) items!: ExposureView[];
}

export class ExposureQueryDto {
  @ApiPropertyOptional({ description: 'Only this bot’s positions' })
  @IsOptional()
  @QueryId()
  botId?: number;
}
