import {
  Controller,
  Get,
  Headers,
  HttpException,
  HttpStatus,
  Inject,
  NotFoundException,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public, SETTINGS, Settings } from '@polymaker/api/core';
import type { FastifyReply } from 'fastify';
import { ApiMetrics } from './api-metrics';
import { presentsMetricsKey } from './metrics-key';

/**
 * GET /metrics in the Prometheus text format, for a scraper holding METRICS_KEY (sent as
 * `Authorization: Bearer <key>`). Not an API route: no API key, no per-key rate limit, not in the
 * OpenAPI spec. Off (404) unless METRICS_KEY is set.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ApiMetrics,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { enabled, key } = this.settings.metrics;
    if (!enabled || key === null) {
      throw new NotFoundException(
        'Metrics are off on this server: set METRICS_KEY (and restart) to serve GET /metrics.',
      );
    }
    if (!presentsMetricsKey(authorization, key)) {
      throw new HttpException(
        {
          statusCode: 401,
          message:
            'GET /metrics needs the metrics key: send "Authorization: Bearer <METRICS_KEY>" (API keys are not accepted here).',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    const { contentType, body } = await this.metrics.scrape();
    await reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
