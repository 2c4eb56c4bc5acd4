import { Controller, Get, HttpCode, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { OutboxJobListView, OutboxJobQueryDto, OutboxJobView } from './dto/outbox-job.dto';
import { OutboxService } from './outbox.service';

/** The durable queue: readable by every admin-API scope; a retry needs operator. */
@ApiTags('outbox')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @ApiOperation({
    operationId: 'listOutboxJobs',
    summary: 'The durable queue: owed analyses and notifications, newest first',
  })
  @ApiOkResponse({ type: OutboxJobListView })
  async list(@Query() query: OutboxJobQueryDto): Promise<OutboxJobListView> {
    const [items, counts] = await Promise.all([this.outbox.list(query), this.outbox.counts()]);
    return { items, counts };
  }

  @IdempotentPost(':id/retry')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({ operationId: 'retryOutboxJob', summary: 'Queue a job that gave up once more' })
  @ApiOkResponse({ type: OutboxJobView })
  retry(@Param('id', ParseIntPipe) id: number): Promise<OutboxJobView> {
    return this.outbox.retry(id);
  }
}
