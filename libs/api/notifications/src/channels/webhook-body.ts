import type { WebhookFormat } from '@polymaker/api/core';
import { NotificationContent, renderText } from '../notification-content';

const COLORS = { info: 0x2f80ed, warning: 0xf2994a, critical: 0xeb5757 } as const;

/**
 * Slack's message markup treats &, < and > as control characters (`<!channel>`, `<url|text>`), so
 * text from bots (an errorMessage, a market name) is escaped as Slack documents: &amp; &lt; &gt;.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The JSON body for a webhook: a generic document, or what Discord and Slack incoming webhooks accept. */
export function webhookBody(
  format: WebhookFormat,
  content: NotificationContent,
  notificationId: number | null,
  createdAt: string,
): Record<string, unknown> {
  const text = renderText(content).trim();
  if (format === 'discord') {
    return {
      username: 'PolyMaker',
      // No @everyone, @here, role or user pings, whatever a bot's text says.
      allowed_mentions: { parse: [] },
      content: content.title.slice(0, 2000),
      embeds: [
        {
          title: content.title.slice(0, 256),
          description: content.paragraphs.join('\n\n').slice(0, 4000) || undefined,
          url: content.link ?? undefined,
          color: COLORS[content.severity],
          fields: content.facts.slice(0, 25).map((fact) => ({
            name: fact.label.slice(0, 256),
            value: fact.value.slice(0, 1024) || '-',
            inline: true,
          })),
          timestamp: createdAt,
        },
      ],
    };
  }
  if (format === 'slack') {
    const blocks: Record<string, unknown>[] = [
      { type: 'header', text: { type: 'plain_text', text: content.title.slice(0, 150) } },
      {
        type: 'section',
        fields: content.facts.slice(0, 10).map((fact) => ({
          type: 'mrkdwn',
          text: `*${slackEscape(fact.label)}*\n${slackEscape(fact.value)}`,
        })),
      },
    ];
    for (const paragraph of content.paragraphs)
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: slackEscape(paragraph).slice(0, 3000) } });
    if (content.link)
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `<${slackEscape(content.link).replace(/\|/g, '%7C')}|Open in the Command Center>`,
          },
        ],
      });
    return { text: slackEscape(text), blocks };
  }
  return {
    source: 'polymaker-command-center',
    notificationId,
    kind: content.kind,
    severity: content.severity,
    title: content.title,
    text,
    facts: Object.fromEntries(content.facts.map((fact) => [fact.label, fact.value])),
    paragraphs: content.paragraphs,
    link: content.link,
    runId: content.runId,
    createdAt,
  };
}
