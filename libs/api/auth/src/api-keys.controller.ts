import { Body, Controller, Get, HttpCode } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IdempotentPost, RequiresScope } from '@polymaker/api/core';
import { IdParam } from '@polymaker/api/core';
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

  @IdempotentPost(undefined, { storedResponse: withoutSecret })
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
  revoke(@IdParam() id: number): Promise<ApiKeyView> {
    return this.keys.revoke(id);
  }

  @IdempotentPost(':id/rotate', { storedResponse: withoutSecret })
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateApiKey',
    summary:
      'Replace a key with a new value (same name and scope); the old one is revoked or expires after a grace period',
  })
  @ApiOkResponse({ type: CreatedApiKeyView })
  rotate(@IdParam() id: number, @Body() body: RotateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.keys.rotate(id, body.value, body.graceMinutes ?? 0);
  }
}

/**
 * What an Idempotency-Key record keeps of a created or rotated key: its view, never the secret.
 * A replay therefore answers the key's view with `secret: null` and says why.
 */
export function withoutSecret(response: unknown): CreatedApiKeyView {
  const { apiKey } = response as CreatedApiKeyView;
  return {
    apiKey,
    secret: null,
    note: 'This answer replays an earlier request with the same Idempotency-Key: the key was made then, and its secret was shown once, in that first answer. It is not stored anywhere, so it cannot be shown again; if it was lost, rotate the key.',
  };
}
