import { outboundRequest } from '@polymaker/api/core';
import { JobFailure } from '@polymaker/api/outbox';
import type { NotificationContent } from '../notification-content';

/** Telegram's limit on a message's text, counted after the HTML entities are parsed (UTF-16 units). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** What Telegram's HTML parse mode needs escaped in text: only <, > and & (the entities it knows). */
export function telegramEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A piece of the message: its visible text, and whether it is bold or a link. */
interface Piece {
  text: string;
  bold?: boolean;
  href?: string;
}

function pieceHtml(piece: Piece): string {
  const text = telegramEscape(piece.text);
  if (piece.href) return `<a href="${telegramEscape(piece.href).replace(/"/g, '&quot;')}">${text}</a>`;
  return piece.bold ? `<b>${text}</b>` : text;
}

/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  let end = Math.max(0, max);
  if (end < text.length && end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1])) end--;
  return text.slice(0, end);
}

/**
 * The message as Telegram's HTML parse mode reads it: the title in bold, one "Label: value" line
 * per fact, the paragraphs, and a link back. Everything from a bot (an error message, a market name)
 * is escaped. A message longer than Telegram's 4,096 characters is cut in the text (never inside
 * a tag or an entity) with "…", and keeps its link.
 */
export function telegramText(content: NotificationContent, limit = TELEGRAM_TEXT_LIMIT): string {
  const pieces: Piece[] = [{ text: content.title, bold: true }, { text: '\n' }];
  for (const fact of content.facts)
    pieces.push({ text: '\n' }, { text: `${fact.label}:`, bold: true }, { text: ` ${fact.value}` });
  for (const paragraph of content.paragraphs) pieces.push({ text: '\n\n' }, { text: paragraph });
  const tail: Piece[] = content.link
    ? [{ text: '\n\n' }, { text: 'Open in the Command Center', href: content.link }]
    : [];
  const length = (list: Piece[]) => list.reduce((sum, piece) => sum + piece.text.length, 0);
  if (length(pieces) + length(tail) <= limit) return [...pieces, ...tail].map(pieceHtml).join('');
  const ellipsis = '…';
  let budget = Math.max(0, limit - length(tail) - ellipsis.length);
  const kept: Piece[] = [];
  for (const piece of pieces) {
    if (piece.text.length <= budget) {
      kept.push(piece);
      budget -= piece.text.length;
      continue;
    }
    const part = cut(piece.text, budget);
    if (part) kept.push({ ...piece, text: part });
    break;
  }
  kept.push({ text: ellipsis });
  return [...kept, ...tail].map(pieceHtml).join('');
}

/** A bot token safe to show: the bot's numeric id (public), never the secret after the colon. */
export function maskTelegramToken(token: string): string {
  const id = /^(\d+):/.exec(token)?.[1];
  return id ? `${id}:***` : '***';
}

export interface TelegramAnswer {
  messageId: number | null;
  chatId: string;
}

const TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;

/** Telegram's error answer: `{ ok: false, error_code, description, parameters: { retry_after } }`. */
interface BotApiAnswer {
  ok?: unknown;
  error_code?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown };
  result?: { message_id?: unknown };
}

/**
 * Sends one message with the Bot API's sendMessage: `POST {apiUrl}/bot<token>/sendMessage`. The
 * token is in the URL's path, so no error, log line or delivery log entry ever carries the URL:
 * they name "Telegram sendMessage" and the chat, and any text Telegram (or the network stack)
 * answered has the token replaced by ***.
 *
 * Failures are JobFailures the queue understands: a 429 waits Telegram's `retry_after`; a 5xx, a
 * timeout or a refused connection retry with the usual backoff; any other 4xx (a bad token, a chat
 * that does not exist, a bot not in the chat) is permanent: the same request cannot succeed.
 */
export async function sendTelegram(
  apiUrl: string,
  token: string,
  chatId: string,
  text: string,
): Promise<TelegramAnswer> {
  const scrub = (message: string) =>
    message
      .split(token)
      .join('***')
      .replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot***');
  const where = `Telegram sendMessage to chat ${chatId}`;
  let answer;
  try {
    answer = await outboundRequest(`${apiUrl}/bot${token}/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'PolyMaker-Command-Center' },
      body: JSON.stringify({ chat_id: chatId, text, parse_mode: 'HTML', disable_web_page_preview: true }),
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
    });
  } catch (error) {
    throw new JobFailure(`${where}: ${scrub((error as Error).message)}`);
  }
  let body: BotApiAnswer = {};
  try {
    body = JSON.parse(answer.body.toString('utf8')) as BotApiAnswer;
  } catch {
    body = {};
  }
  if (answer.status >= 200 && answer.status < 300 && body.ok === true) {
    const messageId = typeof body.result?.message_id === 'number' ? body.result.message_id : null;
    return { messageId, chatId };
  }
  const code = typeof body.error_code === 'number' ? body.error_code : answer.status;
  const description =
    typeof body.description === 'string' ? scrub(body.description).replace(/\s+/g, ' ').slice(0, 300) : null;
  const said = description
    ? `: ${description}`
    : ` (${answer.bytes}${answer.truncated ? '+' : ''} bytes, not a Bot API answer)`;
  if (code === 429) {
    const seconds = Number(body.parameters?.retry_after);
    const retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined;
    throw new JobFailure(
      `${where} answered 429${said}${retryAfterMs ? `; retrying after ${seconds} s as asked` : ''}`,
      { retryAfterMs },
    );
  }
  if (answer.status >= 300 && answer.status < 400) {
    throw new JobFailure(
      `${where} answered ${answer.status} (a redirect): redirects are not followed; check TELEGRAM_API_URL`,
    );
  }
  if (code >= 400 && code < 500) {
    const hint =
      code === 401 || code === 404
        ? ' (check the bot token)'
        : code === 400 || code === 403
          ? ' (check the chat id and that the bot is in the chat)'
          : '';
    throw new JobFailure(`${where} answered ${code}${said}${hint}; not retried`, { permanent: true });
  }
  throw new JobFailure(`${where} answered ${code}${said}`);
}
