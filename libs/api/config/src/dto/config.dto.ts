import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { copyOwn } from '../schema/own-keys';
import { CleanText, MAX_ID, QueryId } from '@polymaker/api/core';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const VALUES_EXAMPLE = {
  mode: 'dry_run',
  targetAssets: ['BTC', 'ETH'],
  mmSpreadMin: 0.02,
  pauseOrders: false,
};

export class ConfigVersionView {
  @ApiProperty({
    description: 'The version number; the bot sees it as `id` and sends it back as configId',
    example: 3,
  })
  id!: number;
  @ApiProperty({ example: 3 })
  version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, example: VALUES_EXAMPLE })
  values!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, example: 'wider spreads after run 12' })
  note!: string | null;
  @ApiProperty({ enum: ['defaults', 'admin', 'pause', 'resume', 'suggestion'] })
  source!: string;
  @ApiProperty({ nullable: true, type: Number, example: 2 })
  basedOnId!: number | null;
  @ApiProperty({ nullable: true, type: Number })
  analysisId!: number | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty()
  isActive!: boolean;
}

export class ConfigVersionListView {
  @ApiProperty({ type: [ConfigVersionView] })
  items!: ConfigVersionView[];
}

export class ConfigActivationView {
  @ApiProperty()
  id!: number;
  @ApiProperty()
  configId!: number;
  @ApiProperty({ nullable: true, type: Number })
  previousConfigId!: number | null;
  @ApiProperty({ enum: ['initial', 'activate', 'rollback', 'pause', 'resume'] })
  action!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class ConfigActivationListView {
  @ApiProperty({ type: [ConfigActivationView] })
  items!: ConfigActivationView[];
}

export class CreateConfigVersionDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Config keys. With basedOnId, these are changes applied on top of that version (null removes a key); without it, the whole config.',
    example: { mmSpreadMin: 0.025 },
  })
  @Type(() => Object)
  @Transform(({ obj }: { obj: Record<string, unknown> }) => copyOwn(obj['values']))
  @IsObject()
  values!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Start from this version', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  basedOnId?: number;

  @ApiPropertyOptional({ example: 'wider spreads' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @CleanText()
  note?: string;

  @ApiPropertyOptional({ description: 'Activate the new version at once', default: false })
  @IsOptional()
  @IsBoolean()
  activate?: boolean;
}

export class ValidateConfigDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: VALUES_EXAMPLE })
  @Type(() => Object)
  @Transform(({ obj }: { obj: Record<string, unknown> }) => copyOwn(obj['values']))
  @IsObject()
  values!: Record<string, unknown>;
}

export class FieldProblemView {
  @ApiProperty({ example: 'mmSpreadMin' })
  field!: string;
  @ApiProperty({ example: 'must be between 0 and 0.5 (got 0.7)' })
  message!: string;
}

export class ConfigValidationView {
  @ApiProperty()
  valid!: boolean;
  @ApiProperty({ type: [FieldProblemView] })
  problems!: FieldProblemView[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The values as they would be stored',
  })
  values!: Record<string, unknown>;
}

export class RollbackDto {
  @ApiPropertyOptional({
    description: 'The version to go back to; default: the version active before the current one',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  toVersion?: number;
}

export class PauseDto {
  @ApiProperty({ description: 'true stops order placement on every bot at its next poll; false resumes' })
  @IsBoolean()
  paused!: boolean;
}

export class ConfigDiffEntryView {
  @ApiProperty({ example: 'mmSpreadMin' })
  key!: string;
  @ApiProperty({ enum: ['added', 'removed', 'changed'] })
  change!: 'added' | 'removed' | 'changed';
  @ApiProperty({ nullable: true, description: 'Value in the first version (null: not set)', example: 0.02 })
  from!: unknown;
  @ApiProperty({ nullable: true, description: 'Value in the second version (null: not set)', example: 0.025 })
  to!: unknown;
}

export class ConfigDiffView {
  @ApiProperty()
  from!: number;
  @ApiProperty()
  to!: number;
  @ApiProperty({ type: [ConfigDiffEntryView] })
  changes!: ConfigDiffEntryView[];
}

export class ConfigKeySpecView {
  @ApiProperty({ example: 'mmSpreadMin' })
  key!: string;
  @ApiProperty({ enum: ['boolean', 'integer', 'number', 'enum', 'string-list', 'hour-windows'] })
  type!: string;
  @ApiProperty({ example: 'Market making' })
  group!: string;
  @ApiProperty({ example: 'Narrowest spread the bot quotes (price units)' })
  description!: string;
  @ApiProperty({ nullable: true, description: "null: not set, the bot's own default applies" })
  default!: unknown;
  @ApiPropertyOptional()
  min?: number;
  @ApiPropertyOptional()
  max?: number;
  @ApiPropertyOptional({ example: 'USDC' })
  unit?: string;
  @ApiPropertyOptional({ type: [String] })
  options?: string[];
}

export class ConfigSchemaView {
  @ApiProperty({ type: [ConfigKeySpecView] })
  keys!: ConfigKeySpecView[];
  @ApiProperty({
    example: true,
    description: 'Keys outside the schema are accepted and passed to the bot unchanged',
  })
  additionalKeysAllowed!: boolean;
}

export class ValueChangeView {
  @ApiProperty({ nullable: true, description: 'Value the bots get now (null: not set)', example: false })
  from!: unknown;
  @ApiProperty({ nullable: true, description: 'Value after the activation (null: not set)', example: true })
  to!: unknown;
}

export class ActivationPreviewView {
  @ApiProperty({ description: 'The version that would become active', example: 5 })
  configId!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The version bots get now', example: 2 })
  activeConfigId!: number | null;
  @ApiProperty({
    description: 'true when this version is already the active one (activating changes nothing)',
  })
  alreadyActive!: boolean;
  @ApiProperty({ type: [ConfigDiffEntryView], description: 'Keys that change against the active version' })
  changes!: ConfigDiffEntryView[];
  @ApiProperty({ type: [String], example: ['mmSpreadMin', 'pauseOrders'] })
  changedKeys!: string[];
  @ApiProperty({ description: 'Whether `mode` changes (dry_run ↔ live)' })
  changesMode!: boolean;
  @ApiProperty({ type: ValueChangeView, description: '`mode` now and after (unchanged: from equals to)' })
  mode!: ValueChangeView;
  @ApiProperty({ description: 'Whether `pauseOrders` changes: true from paused to trading or back' })
  changesPauseOrders!: boolean;
  @ApiProperty({
    type: ValueChangeView,
    description: '`pauseOrders` now and after, as booleans (not set = false)',
  })
  pauseOrders!: ValueChangeView;
}

export class RollbackPreviewQueryDto {
  @ApiPropertyOptional({
    description: 'The version to go back to; default: the version active before the current one',
  })
  @IsOptional()
  @QueryId()
  toVersion?: number;
}
