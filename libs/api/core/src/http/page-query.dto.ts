import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { MAX_OFFSET, QueryWholeNumber } from './query-rules';

/** Offset paging for admin lists (`limit` 1–500, default 50; `offset` 0–10,000,000). Trades use keyset paging instead. */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @QueryWholeNumber(1, 500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @QueryWholeNumber(0, MAX_OFFSET)
  offset?: number;
}
