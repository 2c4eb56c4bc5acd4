import { Body, Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { FleetService } from '@polymaker/api/fleet';
import {
  CurrentPrincipal,
  IdempotentPost,
  JsonObject,
  NotFoundError,
  Principal,
  RequestWithPrincipal,
  RequiresScope,
  SERVER_VERSION,
} from '@polymaker/api/core';
import type { FastifyReply } from 'fastify';
import { BotGatewayService } from './bot-gateway.service';
import {
  BotMarketsReportDto,
  BotMarketsReportedView,
  BotOkView,
  BotRunStartedView,
  BotRunStoppedView,
  BotStartRunDto,
  BotStatusView,
  BotStopRunDto,
  BotTradeBatchDto,
  BotTradeBatchView,
  BotTradeDto,
  BotTradeLoggedView,
  BotTradeUpdateDto,
  BotTradeUpdatedView,
  BotUpdateRunDto,
} from './dto/bot.dto';

/** A run or trade of another bot is answered like one that does not exist. */
const NOT_THIS_BOTS = (what: string) => ({
  description: `No such ${what} for this bot (another bot's ${what} is not found either)`,
});

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Makes a retry safe: the same key and body replay the first response; another body is 422; while the first is running, 409. Kept 24 h.',
};

@ApiTags('bot')
@ApiSecurity('api-key')
@RequiresScope('bot')
@Controller('bot')
export class BotGatewayController {
  constructor(
    private readonly gateway: BotGatewayService,
    private readonly fleet: FleetService,
    @Inject(SERVER_VERSION) private readonly version: string,
  ) {}

  @Get('status')
  @ApiOperation({
    operationId: 'botStatus',
    summary: 'Server version, key validity, active config and open runs',
  })
  @ApiOkResponse({ type: BotStatusView })
  status(@CurrentPrincipal() principal: Principal): Promise<JsonObject> {
    return this.gateway.status(principal, this.version);
  }

  @Get('config')
  @ApiOperation({
    operationId: 'botConfig',
    summary:
      "The bot's config as one flat object with its id (its own assignment, else its tag's, else the active version; pauseOrders true while a pause covers it); polled every ~10 s by every bot",
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      additionalProperties: true,
      example: { id: 1, mode: 'dry_run', pauseOrders: false },
    },
  })
  @ApiNotFoundResponse({ description: 'No active config' })
  async config(@Res() reply: FastifyReply): Promise<void> {
    // The principal is read from the request, not through a parameter decorator: this is the route
    // every bot polls every ~10 s, and a custom decorator costs a pass through Nest's pipes.
    const principal = (reply.request as unknown as RequestWithPrincipal).principal;
    if (!principal) throw new Error('GET /api/bot/config reached without authentication');
    const active = await this.fleet.servedConfig(principal);
    if (!active) throw new NotFoundError('No config version is active. Activate one in the Command Center.');
    await reply.header('content-type', 'application/json; charset=utf-8').send(active.json);
  }

  @IdempotentPost('run/start', { plainSql: true })
  @ApiOperation({ operationId: 'botStartRun', summary: 'Start a run' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotStartRunDto })
  @ApiCreatedResponse({ type: BotRunStartedView })
  start(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.startRun(principal, body);
  }

  @IdempotentPost('run/update', { plainSql: true })
  @HttpCode(200)
  @ApiOperation({ operationId: 'botUpdateRun', summary: 'Push run metrics (unknown keys are kept as sent)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotUpdateRunDto })
  @ApiOkResponse({ type: BotOkView })
  @ApiNotFoundResponse(NOT_THIS_BOTS('run'))
  @ApiConflictResponse({ description: 'The run was stopped: metrics after run/stop are not recorded' })
  update(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.updateRun(principal, body);
  }

  @IdempotentPost('run/stop', { plainSql: true })
  @HttpCode(200)
  @ApiOperation({
    operationId: 'botStopRun',
    summary: "Stop a run and get its analysis; a second stop returns the first stop's result",
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotStopRunDto })
  @ApiOkResponse({ type: BotRunStoppedView })
  @ApiNotFoundResponse(NOT_THIS_BOTS('run'))
  stop(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.stopRun(principal, body);
  }

  @IdempotentPost('trade', { plainSql: true })
  @ApiOperation({ operationId: 'botLogTrade', summary: 'Log one order' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotTradeDto })
  @ApiCreatedResponse({ type: BotTradeLoggedView })
  @ApiNotFoundResponse(NOT_THIS_BOTS('run'))
  trade(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.logTrade(principal, body);
  }

  @IdempotentPost('trade/update', { plainSql: true })
  @HttpCode(200)
  @ApiOperation({
    operationId: 'botUpdateTrade',
    summary: 'Record a fill, cancel, failure or P&L of a trade',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotTradeUpdateDto })
  @ApiOkResponse({ type: BotTradeUpdatedView })
  @ApiNotFoundResponse(NOT_THIS_BOTS('trade'))
  updateTrade(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.updateTrade(principal, body);
  }

  @IdempotentPost('trade/batch', { plainSql: true })
  @ApiOperation({
    operationId: 'botLogTradeBatch',
    summary: 'Log many orders in one transaction (all or nothing)',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotTradeBatchDto })
  @ApiCreatedResponse({ type: BotTradeBatchView })
  @ApiNotFoundResponse({
    description: "A trade names a run that does not exist or is another bot's: nothing is stored",
  })
  batch(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.logTradeBatch(principal, body);
  }

  @IdempotentPost('markets/report', { plainSql: true })
  @HttpCode(200)
  @ApiOperation({ operationId: 'botReportMarkets', summary: 'Report the markets the bot is watching' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BotMarketsReportDto })
  @ApiOkResponse({ type: BotMarketsReportedView })
  markets(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<JsonObject> {
    return this.gateway.reportMarkets(principal, body);
  }
}
