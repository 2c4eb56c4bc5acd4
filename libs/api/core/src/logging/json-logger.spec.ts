import pino from 'pino';
import { Writable } from 'node:stream';
import { JsonLogger } from './json-logger';

function capture(requestId?: () => string | null): { logger: JsonLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new JsonLogger(pino({ level: 'debug' }, stream), requestId), lines };
}

describe('JsonLogger', () => {
  it('adds the reqId of the request being handled when the caller keeps one', () => {
    let current: string | null = 'req-42';
    const { logger, lines } = capture(() => current);
    logger.log({ runId: 7 }, 'did something', 'RunsService');
    logger.warn('plain text', 'RunsService');
    current = null;
    logger.log({ runId: 8 }, 'outside a request', 'OutboxWorker');
    expect(lines.map(({ reqId, context, msg }) => ({ reqId, context, msg }))).toEqual([
      { reqId: 'req-42', context: 'RunsService', msg: 'did something' },
      { reqId: 'req-42', context: 'RunsService', msg: 'plain text' },
      { reqId: undefined, context: 'OutboxWorker', msg: 'outside a request' },
    ]);
  });

  it('keeps a reqId the line names itself, and none without a source', () => {
    const { logger, lines } = capture(() => 'from-storage');
    logger.error({ reqId: 'from-the-line' }, 'failed', 'HttpExceptionFilter');
    const bare = capture();
    bare.logger.log('hello', 'Somewhere');
    expect(lines[0]['reqId']).toBe('from-the-line');
    expect(bare.lines[0]).not.toHaveProperty('reqId');
  });
});
