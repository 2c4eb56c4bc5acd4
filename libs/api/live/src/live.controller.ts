import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresScope } from '@polymaker/api/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LiveEventsService } from './live-events.service';

const HEARTBEAT_MS = 15_000;

/** The live stream carries domain events (no secrets): every admin-API scope. */
@ApiTags('live')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/events')
export class LiveController {
  constructor(private readonly live: LiveEventsService) {}

  @Get()
  @ApiOperation({
    operationId: 'streamEvents',
    summary:
      'Server-Sent Events: every domain event as `event: <name>` + `data: <json>`, and `: ping` every 15 s. ' +
      'Send the admin key in X-Api-Key (read it with fetch; EventSource cannot send headers).',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless event stream', schema: { type: 'string' } })
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Request-Id': request.id,
    });
    raw.write('retry: 2000\n: connected\n\n');
    const subscription = this.live.stream.subscribe({
      next: (event) => raw.write(`event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`),
      complete: () => raw.end(),
    });
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      subscription.unsubscribe();
    });
  }
}
