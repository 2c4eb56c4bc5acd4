import { ApiProperty } from '@nestjs/swagger';

/**
 * One metrics push: `at`, every contract metric key the bot sent in it (counts as numbers, money
 * as decimal strings, null kept), and `extra` with the keys this server does not know, as sent.
 */
export class MetricPointView {
  [key: string]: unknown;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Keys this server does not know, exactly as the bot sent them',
    example: { brand_new_metric_x: 42 },
  })
  extra!: Record<string, unknown>;
}

export class MetricSeriesView {
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: true,
      required: ['at', 'extra'],
      properties: {
        at: { type: 'string', format: 'date-time' },
        extra: { type: 'object', additionalProperties: true },
      },
    },
    example: [
      { at: '2026-11-24T07:17:00Z', totalPnl: '0.48', totalFills: 1, extra: { brand_new_metric_x: 42 } },
    ],
  })
  items!: MetricPointView[];
}
