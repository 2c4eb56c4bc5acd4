export interface ServerEvent {
  name: string;
  data: unknown;
}

/**
 * Splits a text/event-stream buffer into complete messages; returns them with the unfinished rest.
 * Comment lines (": ping") are skipped; data lines are joined with "\n" and parsed as JSON when they can be.
 */
export function parseEventStream(buffer: string): { events: ServerEvent[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: ServerEvent[] = [];
  for (const block of blocks) {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
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
  return { events, rest };
}
