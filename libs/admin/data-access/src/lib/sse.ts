export interface ServerEvent {
  name: string;
  data: unknown;
}

/** Sent by the server when a reconnect cannot be resumed from Last-Event-ID: what the page shows must be refetched. */
export const STREAM_RESET = 'stream.reset';

/**
 * Splits a text/event-stream buffer into complete messages; returns them with the unfinished rest.
 * Comment lines (": ping") are skipped; data lines are joined with "\n" and parsed as JSON when they can be.
 * `lastId` is the last `id:` seen (to send back as Last-Event-ID on a reconnect), or undefined when none came.
 */
export function parseEventStream(buffer: string): { events: ServerEvent[]; rest: string; lastId?: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: ServerEvent[] = [];
  let lastId: string | undefined;
  for (const block of blocks) {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') lastId = value;
      else if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (!data.length && name === 'message') continue;
    const text = data.join('\n');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep text
    }
    events.push({ name, data: parsed });
  }
  return lastId === undefined ? { events, rest } : { events, rest, lastId };
}
