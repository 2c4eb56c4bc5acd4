import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresScope, SETTINGS, Settings } from '@polymaker/api/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { Subscription } from 'rxjs';
import { LiveEventsService } from './live-events.service';

const HEARTBEAT_MS = 15_000;

/** The live stream carries domain events (no secrets): every admin-API scope. */
@ApiTags('live')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/events')
export class LiveController {
  private readonly logger = new Logger(LiveController.name);

  constructor(
    private readonly live: LiveEventsService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'streamEvents',
    summary:
      'Server-Sent Events: every domain event as `id: <id>` + `event: <name>` + `data: <json>`, and `: ping` every 15 s. ' +
      'Send the admin key in X-Api-Key (read it with fetch; EventSource cannot send headers). Reconnect with ' +
      '`Last-Event-ID` to receive the events missed meanwhile; when they cannot be replayed the stream starts with ' +
      'a `stream.reset` event: refetch what you show. A client that reads too slowly is disconnected.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received, to resume after it',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless event stream', schema: { type: 'string' } })
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    const raw = reply.raw;
    const socket = raw.socket as Socket | null;
    socket?.setTimeout(0); // a live stream is long-lived by design: no idle timeout
    const header = request.headers['last-event-id'];
    const resumption = this.live.resume(Array.isArray(header) ? header[0] : header);
    raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Request-Id': request.id,
    });
    const limit = this.settings.resilience.liveClientBufferBytes;
    let open = true;
    let subscription: Subscription | null = null;
    let heartbeat: NodeJS.Timeout | null = null;
    const close = () => {
      if (!open) return;
      open = false;
      if (heartbeat) clearInterval(heartbeat);
      subscription?.unsubscribe();
    };
    // Each client has a bounded buffer: what the socket does not take at once waits in a queue, and a
    // client whose queue outgrows LIVE_CLIENT_BUFFER_BYTES is dropped, not buffered without end. It
    // reconnects with Last-Event-ID and is replayed what it missed. The replay itself goes at the
    // client's pace, straight from the shared replay buffer.
    const replay = 'replay' in resumption ? resumption.replay : [];
    let cursor = 0;
    const queue: string[] = [];
    let queuedBytes = 0;
    let waiting = false;
    const drop = () => {
      const buffered = queuedBytes + raw.writableLength;
      close();
      const drops = this.live.countDrop();
      this.logger.warn(
        { reqId: request.id, bufferedBytes: buffered, limitBytes: limit, droppedClients: drops },
        'live client too slow: dropped (LIVE_CLIENT_BUFFER_BYTES); it can reconnect with Last-Event-ID',
      );
      if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else raw.destroy();
    };
    const write = (frame: string) => {
      if (raw.write(frame)) return true;
      waiting = true;
      raw.once('drain', pump);
      return false;
    };
    const pump = () => {
      waiting = false;
      while (open && !raw.destroyed) {
        let frame: string | undefined;
        if (cursor < replay.length) frame = replay[cursor++].frame;
        else if (queue.length > 0) {
          frame = queue.shift() as string;
          queuedBytes -= frame.length;
        } else return;
        if (!write(frame)) return;
      }
    };
    const send = (frame: string) => {
      if (!open || raw.destroyed) return;
      if (waiting || cursor < replay.length) {
        queue.push(frame);
        queuedBytes += frame.length;
        if (queuedBytes + raw.writableLength > limit) drop();
        return;
      }
      write(frame);
    };
    write('retry: 2000\n: connected\n\n');
    if ('reset' in resumption) send(this.live.resetFrame(resumption.reset));
    else if (replay.length > 0) pump();
    else send(`id: ${this.live.currentId()}\n\n`); // the position to resume from, before any event arrives
    // replay and subscribe in the same tick: no event can fall between them
    subscription = this.live.stream.subscribe({
      next: (event) => send(event.frame),
      complete: () => {
        close();
        raw.end();
      },
    });
    heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
    request.raw.on('close', close);
    raw.on('close', close);
  }
}
