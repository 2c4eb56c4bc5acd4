import { redactUrl } from '@polymaker/api/core';
import { createTransport } from 'nodemailer';

export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

const TIMEOUT_MS = 10_000;

/** Sends one email over SMTP; resolves with the server's message id, rejects with a readable error. */
export async function sendEmail(smtpUrl: string, message: EmailMessage): Promise<{ messageId: string; response: string }> {
  const transport = createTransport(smtpUrl, {
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS * 2,
  });
  try {
    const info = await transport.sendMail({ ...message, to: message.to.join(', ') });
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

/** POSTs JSON; anything but a 2xx is an error naming the status and the start of the answer. */
export async function postWebhook(url: string, body: Record<string, unknown>): Promise<{ status: number }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'PolyMaker-Command-Center' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message;
    throw new Error(`webhook ${maskWebhookUrl(url)}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 300);
    throw new Error(`webhook ${maskWebhookUrl(url)} answered ${response.status}${text ? `: ${text}` : ''}`);
  }
  await response.arrayBuffer().catch(() => undefined);
  return { status: response.status };
}
