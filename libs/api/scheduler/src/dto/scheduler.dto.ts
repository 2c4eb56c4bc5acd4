import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';

export class JobResultView {
  @ApiProperty({ enum: ['stale-runs', 'maintenance', 'partitions', 'pnl-fold', 'wallet-poll'] }) job!: string;
  @ApiProperty({ description: 'false: skipped (see skipped)' }) ran!: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'another instance holds the lock' }) skipped!:
    string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { closed: 1, runIds: [42] } })
  result!: Record<string, unknown>;
  @ApiProperty() at!: string;
}

export class JobView {
  @ApiProperty({ enum: ['stale-runs', 'maintenance', 'partitions', 'pnl-fold', 'wallet-poll'] })
  name!: string;
  @ApiProperty({ nullable: true, type: Number, example: 30, description: 'null: switched off' })
  everySeconds!: number | null;
  @ApiProperty({ description: 'Running on this instance now' }) running!: boolean;
  @ApiProperty({ type: JobResultView, nullable: true, description: 'Last run on this instance' })
  last!: JobResultView | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
}

export class JobListView {
  @ApiProperty({ type: [JobView] }) items!: JobView[];
}

export class RetentionView {
  @ApiProperty({
    example: 90,
    description: 'Metric points of finished runs older than this are deleted; 0 keeps them',
  })
  metricRetentionDays!: number;
}

export class UpdateRetentionDto {
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    example: 90,
    minimum: 0,
    maximum: 36500,
    description: 'null: back to METRIC_RETENTION_DAYS',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(36_500)
  metricRetentionDays?: number | null;
}
