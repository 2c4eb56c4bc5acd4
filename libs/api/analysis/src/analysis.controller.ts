import { Body, Controller, Get, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { AnalysisService } from './analysis.service';
import {
  AnalysisListView,
  AnalysisQueryDto,
  AnalysisView,
  AppliedSuggestionsView,
  ApplySuggestionsDto,
  CompareQueryDto,
  ComparisonView,
} from './dto/analysis.dto';

/** Analyses are readable by every admin-API scope; applying suggestions and analysing now need operator. */
@ApiTags('analyses')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1')
export class AnalysisController {
  constructor(private readonly analyses: AnalysisService) {}

  @Get('analyses')
  @ApiOperation({ operationId: 'listAnalyses', summary: 'Stored analyses, newest first' })
  @ApiOkResponse({ type: AnalysisListView })
  list(@Query() query: AnalysisQueryDto): Promise<AnalysisListView> {
    return this.analyses.list(query) as Promise<AnalysisListView>;
  }

  @Get('analyses/compare')
  @ApiOperation({
    operationId: 'compareRuns',
    summary: 'Finished runs grouped by config version with scores and P&L side by side: did a change help?',
  })
  @ApiOkResponse({ type: ComparisonView })
  async compare(@Query() query: CompareQueryDto): Promise<ComparisonView> {
    return { groups: await this.analyses.compare(query) };
  }

  @Get('analyses/:id')
  @ApiOperation({
    operationId: 'getAnalysis',
    summary: 'One analysis: scores with inputs and formulas, breakdowns, suggestions',
  })
  @ApiOkResponse({ type: AnalysisView })
  get(@Param('id', ParseIntPipe) id: number): Promise<AnalysisView> {
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
  apply(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ApplySuggestionsDto,
  ): Promise<AppliedSuggestionsView> {
    return this.analyses.apply(id, body.suggestionIds, body.note) as Promise<AppliedSuggestionsView>;
  }

  @Get('runs/:id/analyses')
  @ApiOperation({ operationId: 'listRunAnalyses', summary: 'Every analysis of one run, newest first' })
  @ApiOkResponse({ type: [AnalysisView] })
  forRun(@Param('id', ParseIntPipe) id: number): Promise<AnalysisView[]> {
    return this.analyses.listForRun(id) as Promise<AnalysisView[]>;
  }

  @IdempotentPost('runs/:id/analyses')
  @RequiresScope('operator')
  @ApiOperation({
    operationId: 'analyzeRun',
    summary: 'Analyse a run now (a running one too) and store the result',
  })
  @ApiCreatedResponse({ type: AnalysisView })
  analyze(@Param('id', ParseIntPipe) id: number): Promise<AnalysisView> {
    return this.analyses.analyzeNow(id) as Promise<AnalysisView>;
  }
}
