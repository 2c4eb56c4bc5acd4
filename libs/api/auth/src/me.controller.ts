import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequiresScope } from '@polymaker/api/core';
import { MeView } from './dto/api-key.dto';
import { permissionsOf } from './scope-permissions';

@ApiTags('api-keys')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/me')
export class MeController {
  @Get()
  @ApiOperation({
    operationId: 'getMe',
    summary: 'The calling key: id, name, scope and what that scope may do (to hide what it may not)',
  })
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): MeView {
    return {
      apiKeyId: principal.apiKeyId,
      name: principal.name,
      scope: principal.scope,
      permissions: permissionsOf(principal.scope),
    };
  }
}
