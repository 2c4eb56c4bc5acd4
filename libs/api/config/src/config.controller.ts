import { Body, Controller, Get, HttpCode, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { BadInputError, IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { IdParam, MAX_ID, parseWholeNumber } from '@polymaker/api/core';
import { ConfigService } from './config.service';
import {
  ActivationPreviewView,
  ConfigActivationListView,
  ConfigDiffView,
  ConfigSchemaView,
  ConfigValidationView,
  ConfigVersionListView,
  ConfigVersionView,
  CreateConfigVersionDto,
  PauseDto,
  RollbackDto,
  RollbackPreviewQueryDto,
  ValidateConfigDto,
} from './dto/config.dto';
import { CONFIG_SCHEMA } from './schema/config-schema';
import { KeepSentConfigValues, SentConfigValues } from './sent-config-values';

/** Reads (and validating without saving) need viewer; every change needs operator. */
@ApiTags('configs')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1')
export class ConfigController {
  constructor(private readonly configs: ConfigService) {}

  @Get('config-schema')
  @ApiOperation({
    operationId: 'getConfigSchema',
    summary: 'Every config key with type, default, bounds and description',
  })
  @ApiOkResponse({ type: ConfigSchemaView })
  schema(): ConfigSchemaView {
    return { keys: CONFIG_SCHEMA.map((spec) => ({ ...spec })), additionalKeysAllowed: true };
  }

  @Get('configs')
  @ApiOperation({ operationId: 'listConfigVersions', summary: 'All config versions, newest first' })
  @ApiOkResponse({ type: ConfigVersionListView })
  async list(): Promise<ConfigVersionListView> {
    return { items: await this.configs.list() };
  }

  @Get('configs/active')
  @ApiOperation({ operationId: 'getActiveConfig', summary: 'The version bots receive now' })
  @ApiOkResponse({ type: ConfigVersionView })
  active(): Promise<ConfigVersionView> {
    return this.configs.getActive();
  }

  @Get('configs/activations')
  @ApiOperation({
    operationId: 'listConfigActivations',
    summary: 'Which version was activated when, and how',
  })
  @ApiOkResponse({ type: ConfigActivationListView })
  async activations(): Promise<ConfigActivationListView> {
    return { items: await this.configs.activations() };
  }

  @Get('configs/diff')
  @ApiOperation({ operationId: 'diffConfigVersions', summary: 'Keys that differ between two versions' })
  @ApiQuery({ name: 'from', type: Number })
  @ApiQuery({ name: 'to', type: Number })
  @ApiOkResponse({ type: ConfigDiffView })
  diff(@Query('from') from: string, @Query('to') to: string): Promise<ConfigDiffView> {
    return this.configs.diff(versionNumber(from, 'from'), versionNumber(to, 'to'));
  }

  @Get('configs/rollback-preview')
  @ApiOperation({
    operationId: 'previewConfigRollback',
    summary:
      'What a rollback would change against the active version: the target, the changed keys, and whether mode or pauseOrders changes',
  })
  @ApiOkResponse({ type: ActivationPreviewView })
  rollbackPreview(@Query() query: RollbackPreviewQueryDto): Promise<ActivationPreviewView> {
    return this.configs.rollbackPreview(query.toVersion);
  }

  @Get('configs/:id/activation-preview')
  @ApiOperation({
    operationId: 'previewConfigActivation',
    summary:
      'The diff of this version against what the bots get now, with flags for a change of mode or pauseOrders (to confirm before activating)',
  })
  @ApiOkResponse({ type: ActivationPreviewView })
  activationPreview(@IdParam() id: number): Promise<ActivationPreviewView> {
    return this.configs.activationPreview(id);
  }

  @Get('configs/:id')
  @ApiOperation({ operationId: 'getConfigVersion', summary: 'One config version' })
  @ApiOkResponse({ type: ConfigVersionView })
  get(@IdParam() id: number): Promise<ConfigVersionView> {
    return this.configs.get(id);
  }

  @IdempotentPost('configs')
  @RequiresScope('operator')
  @UseInterceptors(KeepSentConfigValues)
  @ApiOperation({
    operationId: 'createConfigVersion',
    summary: 'Create a new version from scratch or from an earlier one; versions never change once created',
  })
  @ApiCreatedResponse({ type: ConfigVersionView })
  async create(
    @Body() body: CreateConfigVersionDto,
    @SentConfigValues() values: Record<string, unknown>,
  ): Promise<ConfigVersionView> {
    const version = await this.configs.create({
      values,
      basedOnId: body.basedOnId,
      note: body.note,
    });
    return body.activate ? this.configs.activate(version.id) : version;
  }

  @IdempotentPost('configs/validate')
  @UseInterceptors(KeepSentConfigValues)
  @HttpCode(200)
  @ApiOperation({ operationId: 'validateConfig', summary: 'Check values against the schema without saving' })
  @ApiOkResponse({ type: ConfigValidationView })
  validate(
    @Body() _body: ValidateConfigDto,
    @SentConfigValues() values: Record<string, unknown>,
  ): ConfigValidationView {
    return this.configs.validate(values);
  }

  @IdempotentPost('configs/rollback')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rollbackConfig',
    summary: 'Activate an earlier version (default: the previous one)',
  })
  @ApiOkResponse({ type: ConfigVersionView })
  rollback(@Body() body: RollbackDto): Promise<ConfigVersionView> {
    return this.configs.rollback(body.toVersion);
  }

  @IdempotentPost('configs/pause')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'setOrdersPaused',
    summary:
      'Pause or resume order placement on every bot (a new version of the active config with pauseOrders)',
  })
  @ApiOkResponse({ type: ConfigVersionView })
  pause(@Body() body: PauseDto): Promise<ConfigVersionView> {
    return this.configs.setPaused(body.paused);
  }

  @IdempotentPost('configs/:id/activate')
  @RequiresScope('operator')
  @HttpCode(200)
  @ApiOperation({ operationId: 'activateConfigVersion', summary: 'Make this version the one bots receive' })
  @ApiOkResponse({ type: ConfigVersionView })
  activate(@IdParam() id: number): Promise<ConfigVersionView> {
    return this.configs.activate(id);
  }
}

function versionNumber(value: string | undefined, name: string): number {
  const parsed = parseWholeNumber(value, 1, MAX_ID);
  if (parsed === null) {
    throw new BadInputError(`Query parameter "${name}" must be a config version number.`, [
      {
        field: name,
        message: `must be a whole number from 1 to ${MAX_ID}, written as plain digits (given once)`,
      },
    ]);
  }
  return parsed;
}
