import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { BadInputError, RequiresScope } from '@polymaker/api/core';
import { IdParam, parseWholeNumber } from '@polymaker/api/core';
import { MetricSeriesView, MetricsService } from '@polymaker/api/metrics';
import { RunDetailView, RunListView, RunQueryDto } from './dto/run.dto';
import { RunsService } from './runs.service';

/** Runs and their metrics: readable by every admin-API scope. */
@ApiTags('runs')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listRuns', summary: 'Runs, newest first, filtered and paged' })
  @ApiOkResponse({ type: RunListView })
  list(@Query() query: RunQueryDto): Promise<RunListView> {
    return this.runs.list(query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getRun',
    summary: 'One run with its latest metrics, extra keys and analysis',
  })
  @ApiOkResponse({ type: RunDetailView })
  detail(@IdParam() id: number): Promise<RunDetailView> {
    return this.runs.detail(id);
  }

  @Get(':id/metrics')
  @ApiOperation({ operationId: 'getRunMetrics', summary: 'The metric series of a run, oldest first' })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: 'Most recent points to return (default 5000)',
  })
  @ApiOkResponse({ type: MetricSeriesView })
  async metricSeries(@IdParam() id: number, @Query('limit') limit?: string): Promise<MetricSeriesView> {
    const count = limit === undefined ? 5000 : parseWholeNumber(limit, 1, 100_000);
    if (count === null) {
      const rule = 'limit must be a whole number from 1 to 100000, written as plain digits (given once)';
      throw new BadInputError(`Invalid request: ${rule}`, [{ field: 'limit', message: rule }]);
    }
    await this.runs.ensureExists(id); // 404 for an unknown run rather than an empty series
    return { items: await this.metrics.series(id, count) };
  }
}
