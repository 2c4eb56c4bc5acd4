import { Body, Controller, Get, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { IdParam } from '@polymaker/api/core';
import { AnalysisService } from './analysis.service';
import { VersionTimeService } from './version-time.service';
import {
  AnalysisListView,
  AnalysisQueryDto,
  AnalysisView,
  AppliedSuggestionsView,
  ApplySuggestionsDto,
  CompareQueryDto,
  ComparisonView,
  VersionTimeQueryDto,
  VersionTimeView,
} from './dto/analysis.dto';

/** Analyses are readable by every admin-API scope; applying suggestions and analysing now need operator. */
@ApiTags('analyses')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1')
export class AnalysisController {
  constructor(
    private readonly analyses: AnalysisService,
    private readonly versionTime: VersionTimeService,
  ) {}

  @Get('analyses')
  @ApiOperation({ operationId: 'listAnalyses', summary: 'Stored analyses, newest first' })
  @ApiOkResponse({ type: AnalysisListView })
  list(@Query() query: AnalysisQueryDto): Promise<AnalysisListView> {
    return this.analyses.list(query) as Promise<AnalysisListView>;
  }

  @Get('analyses/compare')
  @ApiOperation({
    operationId: 'compareRuns',
    summary:
      'Finished runs grouped by the config version each STARTED with (whole runs), with scores and P&L side by side',
    description:
      'A run counts here under the version it started with, even when its bot picked up another version at a later poll. ' +
      'For the time, trades and P&L each version really had, see GET /api/v1/analyses/versions.',
  })
  @ApiOkResponse({ type: ComparisonView })
  async compare(@Query() query: CompareQueryDto): Promise<ComparisonView> {
    return { groups: await this.analyses.compare(query) };
  }

  @Get('analyses/versions')
  @ApiOperation({
    operationId: 'versionTime',
    summary:
      'Config versions by the hours and runs they really ran: runs cut into segments by the version their bot was served',
    description:
      'Every run that ran during [from, to) is cut into segments by the config version its bot was served (its config polls; ' +
      "the run's own version until the first poll after its start that served another one; a gap between polls keeps the previous version). " +
      'Per version: unpaused hours and paused hours apart, runs, segments, orders, fills, fill rate, realised P&L (trades logged in its segments), ' +
      'P&L per unpaused hour, the change of the reported P&L, the largest drawdown within a segment and a score averaged by time. ' +
      'At most 400 days; at most 500 runs (the newest; `truncated`).',
  })
  @ApiOkResponse({ type: VersionTimeView })
  versions(@Query() query: VersionTimeQueryDto): Promise<VersionTimeView> {
    return this.versionTime.versions(query);
  }

  @Get('analyses/:id')
  @ApiOperation({
    operationId: 'getAnalysis',
    summary: 'One analysis: scores with inputs and formulas, breakdowns, suggestions',
  })
  @ApiOkResponse({ type: AnalysisView })
  get(@IdParam() id: number): Promise<AnalysisView> {
    return this.analyses.get(id) as Promise<AnalysisView>;
  }

  @IdempotentPost('analyses/:id/apply')
  @RequiresScope('operator')
  @ApiOperation({
    operationId: 'applySuggestions',
    summary:
      'Turn suggestions into a new config version on top of the ACTIVE version, keeping its pauseOrders (source "suggestion", linked to the analysis, not activated)',
  })
  @ApiCreatedResponse({ type: AppliedSuggestionsView })
  apply(@IdParam() id: number, @Body() body: ApplySuggestionsDto): Promise<AppliedSuggestionsView> {
    return this.analyses.apply(id, body.suggestionIds, body.note) as Promise<AppliedSuggestionsView>;
  }

  @Get('runs/:id/analyses')
  @ApiOperation({ operationId: 'listRunAnalyses', summary: 'Every analysis of one run, newest first' })
  @ApiOkResponse({ type: [AnalysisView] })
  forRun(@IdParam() id: number): Promise<AnalysisView[]> {
    return this.analyses.listForRun(id) as Promise<AnalysisView[]>;
  }

  @IdempotentPost('runs/:id/analyses')
  @RequiresScope('operator')
  @ApiOperation({
    operationId: 'analyzeRun',
    summary: 'Analyse a run now (a running one too) and store the result',
  })
  @ApiCreatedResponse({ type: AnalysisView })
  analyze(@IdParam() id: number): Promise<AnalysisView> {
    return this.analyses.analyzeNow(id) as Promise<AnalysisView>;
  }
}
