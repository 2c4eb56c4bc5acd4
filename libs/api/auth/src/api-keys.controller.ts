import { Body, Controller, Get, HttpCode, Param, ParseIntPipe } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyListView,
  ApiKeyView,
  CreateApiKeyDto,
  CreatedApiKeyView,
  RotateApiKeyDto,
} from './dto/api-key.dto';

/** Keys are admin only, listing included. */
@ApiTags('api-keys')
@ApiSecurity('api-key')
@RequiresScope('admin')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: 'List API keys (never their values)' })
  @ApiOkResponse({ type: ApiKeyListView })
  async list(): Promise<ApiKeyListView> {
    return { items: await this.keys.list() };
  }

  @IdempotentPost()
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create a key, generated or with a chosen value; the value is returned this once',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.keys.create(body.name, body.scope, body.value);
  }

  @IdempotentPost(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke a key: it stops working at once' })
  @ApiOkResponse({ type: ApiKeyView })
  revoke(@Param('id', ParseIntPipe) id: number): Promise<ApiKeyView> {
    return this.keys.revoke(id);
  }

  @IdempotentPost(':id/rotate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateApiKey',
    summary:
      'Replace a key with a new value (same name and scope); the old one is revoked or expires after a grace period',
  })
  @ApiOkResponse({ type: CreatedApiKeyView })
  rotate(@Param('id', ParseIntPipe) id: number, @Body() body: RotateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.keys.rotate(id, body.value, body.graceMinutes ?? 0);
  }
}
