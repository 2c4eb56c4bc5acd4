import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QueryText, QueryWholeNumber } from '@polymaker/api/core';
import { IsIn, IsOptional } from 'class-validator';
import type { OutboxJobStatus } from '../entities/outbox-job.entity';

export class OutboxJobQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'done', 'failed'], description: 'Only jobs in this state' })
  @IsOptional()
  @IsIn(['pending', 'done', 'failed'])
  status?: OutboxJobStatus;

  @ApiPropertyOptional({ example: 'notification.deliver', description: 'Only jobs of this topic' })
  @IsOptional()
  @QueryText(100)
  topic?: string;

  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @QueryWholeNumber(1, 1000)
  limit?: number;
}

export class OutboxJobView {
  @ApiProperty({ example: 12 })
  id!: number;
  @ApiProperty({ example: 'notification.deliver' })
  topic!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { deliveryId: 3 } })
  payload!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, example: 'run-summary:42' })
  dedupeKey!: string | null;
  @ApiProperty({ enum: ['pending', 'done', 'failed'] })
  status!: OutboxJobStatus;
  @ApiProperty({ example: 1 })
  attempts!: number;
  @ApiProperty({ example: 8 })
  maxAttempts!: number;
  @ApiProperty({
    example: '2026-12-01T10:00:00.000Z',
    description: 'Not run before this time (the next retry)',
  })
  availableAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'connect ECONNREFUSED 127.0.0.1:25' })
  lastError!: string | null;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  createdAt!: string;
  @ApiProperty({ nullable: true, type: String })
  finishedAt!: string | null;
}

export class OutboxJobListView {
  @ApiProperty({ type: [OutboxJobView] })
  items!: OutboxJobView[];
  @ApiProperty({ example: { pending: 0, done: 12, failed: 1 }, description: 'Jobs per state, all topics' })
  counts!: Record<OutboxJobStatus, number>;
}
