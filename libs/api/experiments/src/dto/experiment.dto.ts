import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CleanText, MAX_ID } from '@polymaker/api/core';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export class ExperimentAssignmentDto {
  @ApiProperty({ example: 8, description: 'One of the experiment’s versions' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  configId!: number;

  @ApiPropertyOptional({ example: 3, description: 'Give botId or tag' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  botId?: number;

  @ApiPropertyOptional({ example: 'vps-2' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  tag?: string;
}

export class CreateExperimentDto {
  @ApiProperty({ example: 'wider spreads on vps-2', maxLength: 120 })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @CleanText()
  name!: string;

  @ApiProperty({
    type: [Number],
    example: [7, 8],
    description: 'Two to six versions; the first is the baseline the others are compared with',
  })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(6)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  configIds!: number[];

  @ApiPropertyOptional({
    type: [Number],
    example: [3, 4],
    description: 'Only these bots’ segments count (default: every bot)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  botIds?: number[];

  @ApiPropertyOptional({
    type: [ExperimentAssignmentDto],
    description:
      'Assign versions to bots or tags as the experiment starts (e.g. the candidate to two bots); the others keep what they have',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ExperimentAssignmentDto)
  assign?: ExperimentAssignmentDto[];

  @ApiPropertyOptional({ description: 'The analysis whose suggestions made the candidate' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  sourceAnalysisId?: number;
}

export class PromoteDto {
  @ApiProperty({ example: 8, description: 'One of the experiment’s versions' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  configId!: number;

  @ApiProperty({
    enum: ['fleet', 'tag'],
    description: 'fleet: activate it as the fleet default; tag: assign it to `tag`',
  })
  @IsIn(['fleet', 'tag'])
  to!: 'fleet' | 'tag';

  @ApiPropertyOptional({ example: 'vps-2' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  tag?: string;
}

export class ExperimentSubScoreView {
  @ApiProperty({
    example: 'spreadCapture',
    description: "'overall' or a sub-score's name as its analyses store it",
  })
  name!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "Its runs' scores weighted by their hours under the version",
  })
  mean!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Bootstrap percentile interval (null: fewer segments than needed)',
  })
  low!: number | null;
  @ApiProperty({ nullable: true, type: Number }) high!: number | null;
  @ApiProperty({ description: 'Segments whose run had this score' }) segments!: number;
}

export class ExperimentVersionView {
  @ApiProperty() configId!: number;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ description: 'Unpaused hours under it in the experiment' }) hours!: number;
  @ApiProperty() runs!: number;
  @ApiProperty() segments!: number;
  @ApiProperty({ description: 'Realised P&L (USDC), exact' }) pnl!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Realised P&L per unpaused hour' }) pnlPerHour!:
    number | null;
  @ApiProperty({ nullable: true, type: Number }) pnlPerHourLow!: number | null;
  @ApiProperty({ nullable: true, type: Number }) pnlPerHourHigh!: number | null;
  @ApiProperty({ nullable: true, type: Number }) fillRate!: number | null;
  @ApiProperty({ description: 'Largest fall of reported P&L within one of its segments (USDC)' })
  maxDrawdown!: number;
  @ApiProperty({
    type: [ExperimentSubScoreView],
    description: 'The overall score first, then each sub-score, with intervals',
  })
  subScores!: ExperimentSubScoreView[];
}

export class ExperimentComparisonView {
  @ApiProperty() configId!: number;
  @ApiProperty() baselineConfigId!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'P&L per hour minus the baseline’s' })
  difference!: number | null;
  @ApiProperty({ nullable: true, type: Number }) low!: number | null;
  @ApiProperty({ nullable: true, type: Number }) high!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Holm-adjusted p-value' }) p!: number | null;
  @ApiProperty() significant!: boolean;
  @ApiProperty({ nullable: true, type: Number }) moreHoursNeeded!: number | null;
  @ApiProperty({ example: 'v8 earns 0.42 USDC/h more than v7, 95 % CI 0.10 to 0.74, from 14 runs (30.5 h).' })
  verdict!: string;
}

export class ExperimentView {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [Number], description: 'The baseline first' }) configIds!: number[];
  @ApiProperty({ type: [Number], description: 'Empty: every bot' }) botIds!: number[];
  @ApiProperty({ enum: ['running', 'stopped', 'promoted'] }) status!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ nullable: true, type: Number }) sourceAnalysisId!: number | null;
  @ApiProperty({ nullable: true, type: Number }) promotedConfigId!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'fleet', description: "'fleet' or 'tag:<name>'" })
  promotedTo!: string | null;
}

export class ExperimentListView {
  @ApiProperty({ type: [ExperimentView] }) items!: ExperimentView[];
}

export class ExperimentResultView extends ExperimentView {
  @ApiProperty({ description: 'How versions are compared (the page shows it)' }) method!: string;
  @ApiProperty({ type: [ExperimentVersionView] }) versions!: ExperimentVersionView[];
  @ApiProperty({ type: [ExperimentComparisonView], description: 'Each version against the baseline' })
  comparisons!: ExperimentComparisonView[];
  @ApiProperty({
    description: 'Segments counted: of its versions, its bots, since it started (until it ended)',
  })
  window!: string;
}
