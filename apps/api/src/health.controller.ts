import { MikroORM } from '@mikro-orm/postgresql';
import { Controller, Get, HttpStatus, Inject, Logger, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { DATABASE_RETRY_AFTER_SECONDS, Public, SERVER_VERSION } from '@polymaker/api/core';
import type { FastifyReply } from 'fastify';

class HealthView {
  @ApiProperty({ example: 'ok' })
  status!: string;
  @ApiProperty({ example: '0.1.0' })
  version!: string;
  @ApiProperty({ example: 120 })
  uptimeSeconds!: number;
}

class ReadyView {
  @ApiProperty({ example: 'ready', enum: ['ready', 'unavailable'] })
  status!: string;
  @ApiProperty({ example: 'database reachable' })
  message!: string;
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly orm: MikroORM,
    @Inject(SERVER_VERSION) private readonly version: string,
  ) {}

  @Get('health')
  @ApiOperation({ operationId: 'health', summary: 'The process is alive' })
  @ApiOkResponse({ type: HealthView })
  health(): HealthView {
    return { status: 'ok', version: this.version, uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @ApiOperation({ operationId: 'ready', summary: 'The database answers: the instance can take traffic' })
  @ApiOkResponse({ type: ReadyView })
  @ApiServiceUnavailableResponse({ type: ReadyView })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    try {
      await this.orm.em.getConnection().execute('select 1');
      await reply.send({ status: 'ready', message: 'database reachable' });
    } catch (error) {
      // the cause (addresses, ports) goes to the log only: /ready answers anyone
      this.logger.warn(
        { reqId: reply.request.id, err: (error as Error).message },
        'not ready: the database does not answer',
      );
      await reply
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
        .send({ status: 'unavailable', message: 'database unreachable' });
    }
  }
}
