import type { WebhookFormat } from '@polymaker/api/core';
import { NotificationContent, renderText } from '../notification-content';

const COLORS = { info: 0x2f80ed, warning: 0xf2994a, critical: 0xeb5757 } as const;

/** The JSON body for a webhook: a generic document, or what Discord and Slack incoming webhooks accept. */
export function webhookBody(format: WebhookFormat, content: NotificationContent, notificationId: number | null, createdAt: string): Record<string, unknown> {
  const text = renderText(content).trim();
  if (format === 'discord') {
    return {
      username: 'PolyMaker',
      content: content.title.slice(0, 2000),
      embeds: [
        {
          title: content.title.slice(0, 256),
          description: content.paragraphs.join('\n\n').slice(0, 4000) || undefined,
          url: content.link ?? undefined,
          color: COLORS[content.severity],
          fields: content.facts.slice(0, 25).map((fact) => ({ name: fact.label.slice(0, 256), value: fact.value.slice(0, 1024) || '-', inline: true })),
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
        fields: content.facts.slice(0, 10).map((fact) => ({ type: 'mrkdwn', text: `*${fact.label}*\n${fact.value}` })),
      },
    ];
    for (const paragraph of content.paragraphs) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: paragraph.slice(0, 3000) } });
    if (content.link) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${content.link}|Open in the Command Center>` }] });
    return { text, blocks };
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
