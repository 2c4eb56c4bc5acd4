import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { BadInputError, IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { JobListView, JobResultView, RetentionView, UpdateRetentionDto } from './dto/scheduler.dto';
import { JobName, SchedulerService } from './scheduler.service';

const JOB_NAMES = [
  'stale-runs',
  'maintenance',
  'partitions',
  'pnl-fold',
  'wallet-poll',
] as const satisfies readonly JobName[];

/** Jobs and retention are readable by every admin-API scope; running a job needs operator; changing retention needs admin. */
@ApiTags('scheduler')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1')
export class SchedulerController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Get('scheduler/jobs')
  @ApiOperation({
    operationId: 'listScheduledJobs',
    summary: 'Scheduled jobs on this instance: interval and last result',
  })
  @ApiOkResponse({ type: JobListView })
  list(): JobListView {
    return { items: this.scheduler.list() };
  }

  @IdempotentPost('scheduler/jobs/:name/run')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'runScheduledJob',
    summary: 'Run a job now (still under its cluster-wide lock)',
  })
  @ApiParam({ name: 'name', enum: ['stale-runs', 'maintenance', 'partitions', 'pnl-fold', 'wallet-poll'] })
  @ApiOkResponse({ type: JobResultView })
  run(@Param('name') name: string): Promise<JobResultView> {
    // Checked against the list itself: a name like "constructor" must not reach a lookup by key.
    if (!(JOB_NAMES as readonly string[]).includes(name)) {
      const rule = `must be one of ${JOB_NAMES.join(', ')}`;
      throw new BadInputError(`Path parameter "name" ${rule}.`, [{ field: 'name', message: rule }]);
    }
    return this.scheduler.run(name as JobName);
  }

  @Get('retention')
  @ApiOperation({ operationId: 'getRetention', summary: 'How long metric points are kept' })
  @ApiOkResponse({ type: RetentionView })
  retention(): Promise<RetentionView> {
    return this.scheduler.retention();
  }

  @Put('retention')
  @RequiresScope('admin')
  @ApiOperation({
    operationId: 'updateRetention',
    summary: 'Change how long metric points are kept (applied by the maintenance job)',
  })
  @ApiOkResponse({ type: RetentionView })
  updateRetention(@Body() body: UpdateRetentionDto): Promise<RetentionView> {
    return this.scheduler.updateRetention(body);
  }
}
