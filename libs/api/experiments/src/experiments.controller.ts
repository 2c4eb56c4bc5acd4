import { Body, Controller, Get, HttpCode } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { IdempotentPost, IdParam, RequiresScope } from '@polymaker/api/core';
import {
  CreateExperimentDto,
  ExperimentListView,
  ExperimentResultView,
  ExperimentView,
  PromoteDto,
} from './dto/experiment.dto';
import { ExperimentsService } from './experiments.service';

@ApiTags('experiments')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/experiments')
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get()
  @ApiOperation({ operationId: 'listExperiments', summary: 'Experiments, newest first' })
  @ApiOkResponse({ type: ExperimentListView })
  async list(): Promise<ExperimentListView> {
    return { items: await this.experiments.list() };
  }

  @IdempotentPost()
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'startExperiment',
    summary:
      'Start an experiment: two to six versions (the first the baseline), optionally assigned to bots or tags as it starts',
  })
  @ApiOkResponse({ type: ExperimentView })
  create(@Body() body: CreateExperimentDto): Promise<ExperimentView> {
    return this.experiments.create(body);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getExperiment',
    summary:
      'An experiment with, per version, hours, runs, P&L per hour with its interval, fill rate, drawdown, and a verdict against the baseline',
  })
  @ApiOkResponse({ type: ExperimentResultView })
  @ApiNotFoundResponse({ description: 'No such experiment' })
  get(@IdParam() id: number): Promise<ExperimentResultView> {
    return this.experiments.get(id);
  }

  @IdempotentPost(':id/stop')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'stopExperiment',
    summary: 'Stop counting segments (its figures stay as they were at the stop)',
  })
  @ApiOkResponse({ type: ExperimentView })
  @ApiConflictResponse({ description: 'Not running' })
  stop(@IdParam() id: number): Promise<ExperimentView> {
    return this.experiments.stop(id);
  }

  @IdempotentPost(':id/promote')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'promoteExperiment',
    summary:
      'Make a version the fleet default (activated) or a tag’s version, and end the experiment; audited',
  })
  @ApiOkResponse({ type: ExperimentView })
  @ApiConflictResponse({ description: 'Promoted already' })
  promote(@IdParam() id: number, @Body() body: PromoteDto): Promise<ExperimentView> {
    return this.experiments.promote(id, body);
  }
}
