import { outboundRequest, redactUrl } from '@polymaker/api/core';
import { createTransport } from 'nodemailer';

export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The notification sent: its Message-ID is derived from it, the same on every attempt, so a mailbox can dedupe. */
  notificationId?: number;
}

const TIMEOUT_MS = 10_000;

/** Sends one email over SMTP; resolves with the server's message id, rejects with a readable error. */
export async function sendEmail(
  smtpUrl: string,
  message: EmailMessage,
): Promise<{ messageId: string; response: string }> {
  const transport = createTransport(smtpUrl, {
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS * 2,
  });
  try {
    const { notificationId, ...mail } = message;
    const domain = /@([^>\s]+)>?\s*$/.exec(message.from)?.[1] ?? 'polymaker.invalid';
    const messageId = notificationId === undefined ? undefined : `<notification-${notificationId}@${domain}>`;
    const info = await transport.sendMail({
      ...mail,
      to: message.to.join(', '),
      ...(messageId ? { messageId } : {}),
    });
    return { messageId: String(info.messageId), response: String(info.response ?? '') };
  } catch (error) {
    throw new Error(`SMTP ${redactUrl(smtpUrl)}: ${(error as Error).message}`);
  } finally {
    transport.close();
  }
}

/** A webhook URL safe to show: Discord and Slack URLs carry their secret in the path. */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const first = parsed.pathname.split('/').filter(Boolean)[0];
    return `${parsed.protocol}//${parsed.host}/${first ? `${first}/` : ''}…`;
  } catch {
    return '(invalid URL)';
  }
}

/** What a webhook receiver answered: its status and how many bytes, never the body itself. */
export interface WebhookAnswer {
  status: number;
  bytes: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs JSON to the webhook. Anything but a 2xx is an error naming the status and the size of the
 * answer, never its text: the URL is admin-set, so echoing what it answered would make the
 * Command Center a reader of whatever sits at that address. A 3xx is not followed (a failed
 * delivery saying so), and refused targets (link-local, metadata, see outboundRequest) fail
 * before any connection, after DNS too. A notification's POST carries `Idempotency-Key:
 * notification-<id>` (and `notificationId` in the generic body), the same on every attempt: delivery is
 * at least once, so a receiver dedupes on it.
 */
export async function postWebhook(
  url: string,
  body: Record<string, unknown>,
  notificationId?: number,
): Promise<WebhookAnswer> {
  let answer;
  try {
    answer = await outboundRequest(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'PolyMaker-Command-Center',
        ...(notificationId === undefined ? {} : { 'Idempotency-Key': `notification-${notificationId}` }),
      },
      body: JSON.stringify(body),
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
    });
  } catch (error) {
    throw new Error(`webhook ${maskWebhookUrl(url)}: ${(error as Error).message}`);
  }
  const size = `${answer.bytes}${answer.truncated ? '+' : ''} bytes`;
  if (answer.status >= 300 && answer.status < 400) {
    throw new Error(
      `webhook ${maskWebhookUrl(url)} answered ${answer.status} (a redirect, ${size}): redirects are not followed; set the final URL`,
    );
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`webhook ${maskWebhookUrl(url)} answered ${answer.status} (${size})`);
  }
  return { status: answer.status, bytes: answer.bytes };
}
