import { Body, Controller, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, IdParam, RequiresScope } from '@polymaker/api/core';
import {
  AssignDto,
  AssignmentListView,
  AssignmentView,
  BotListView,
  BotView,
  ConfigSpanListView,
  ExposureListView,
  ExposureQueryDto,
  PauseListView,
  PauseTargetDto,
  PauseView,
  SetTagsDto,
} from './dto/fleet.dto';
import { FleetService } from './fleet.service';

@ApiTags('fleet')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1')
export class FleetController {
  constructor(private readonly fleet: FleetService) {}

  @Get('bots')
  @ApiOperation({
    operationId: 'listBots',
    summary:
      'Every bot (one per bot key): state, tags, the version assigned and the rule, the version it last fetched and when, P&L, wallet, fills',
  })
  @ApiOkResponse({ type: BotListView })
  async bots(): Promise<BotListView> {
    return { items: await this.fleet.bots() };
  }

  @Get('bots/:id')
  @ApiOperation({ operationId: 'getBot', summary: 'One bot' })
  @ApiOkResponse({ type: BotView })
  @ApiNotFoundResponse({ description: 'No such bot' })
  bot(@IdParam() id: number): Promise<BotView> {
    return this.fleet.bot(id);
  }

  @Get('bots/:id/config-spans')
  @ApiOperation({
    operationId: 'botConfigSpans',
    summary: 'The versions a bot was served and when (from its config polls), newest first',
  })
  @ApiOkResponse({ type: ConfigSpanListView })
  @ApiNotFoundResponse({ description: 'No such bot' })
  async configSpans(@IdParam() id: number): Promise<ConfigSpanListView> {
    return { items: await this.fleet.configSpans(id) };
  }

  @Get('fleet/exposure')
  @ApiOperation({
    operationId: 'fleetExposure',
    summary:
      'What the bots hold now: per bot and market window, filled size and cost on Up and Down, the one-sided part, time to expiry',
  })
  @ApiOkResponse({ type: ExposureListView })
  async exposure(@Query() query: ExposureQueryDto): Promise<ExposureListView> {
    return { items: await this.fleet.exposure(query.botId ?? null) };
  }

  @Put('bots/:id/tags')
  @RequiresScope('operator')
  @ApiOperation({ operationId: 'setBotTags', summary: "Replace a bot's tags (e.g. vps-1, btc-only)" })
  @ApiOkResponse({ type: BotView })
  tags(@IdParam() id: number, @Body() body: SetTagsDto): Promise<BotView> {
    return this.fleet.setTags(id, body.tags);
  }

  @Get('fleet/assignments')
  @ApiOperation({
    operationId: 'listConfigAssignments',
    summary: 'Config versions assigned to a bot or a tag, over the fleet default',
  })
  @ApiOkResponse({ type: AssignmentListView })
  async assignments(): Promise<AssignmentListView> {
    return { items: await this.fleet.assignments() };
  }

  @IdempotentPost('fleet/assignments')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'assignConfig',
    summary:
      'Assign a version to one bot or to a tag (bot over tag over the fleet default); bots get it at their next poll',
  })
  @ApiOkResponse({ type: AssignmentView })
  assign(@Body() body: AssignDto): Promise<AssignmentView> {
    return this.fleet.assign({ botId: body.botId, tag: body.tag }, body.configId);
  }

  @IdempotentPost('fleet/assignments/:id/remove')
  @RequiresScope('operator')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'removeConfigAssignment',
    summary: 'Remove an assignment: its bots go back to their tag’s version or the fleet default',
  })
  @ApiNotFoundResponse({ description: 'No such assignment' })
  async unassign(@IdParam() id: number): Promise<void> {
    await this.fleet.unassign(id);
  }

  @Get('fleet/pauses')
  @ApiOperation({
    operationId: 'listPauses',
    summary: 'The pauses in force and, for each, how many of its bots have fetched it and which have not',
  })
  @ApiOkResponse({ type: PauseListView })
  async pauses(): Promise<PauseListView> {
    return { items: await this.fleet.pauses() };
  }

  @IdempotentPost('fleet/pause')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'pauseBots',
    summary:
      'Pause order placement for the fleet, a tag or one bot: pauseOrders: true laid over the served config, no new version',
  })
  @ApiOkResponse({ type: PauseView })
  pause(@Body() body: PauseTargetDto): Promise<PauseView> {
    return this.fleet.pause(body);
  }

  @IdempotentPost('fleet/resume')
  @RequiresScope('operator')
  @HttpCode(204)
  @ApiOperation({ operationId: 'resumeBots', summary: 'Lift a pause of the fleet, a tag or one bot' })
  @ApiNotFoundResponse({ description: 'That target is not paused' })
  async resume(@Body() body: PauseTargetDto): Promise<void> {
    await this.fleet.resume(body);
  }
}
