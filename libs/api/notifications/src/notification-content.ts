/**
 * What a notification says, built from plain facts so it can be tested without a database:
 * a title, labelled facts, free paragraphs and a link, rendered as plain text and HTML.
 */
export type NotificationKind = 'run-summary' | 'run-error' | 'run-stale' | 'wallet-low' | 'test';
export type Severity = 'info' | 'warning' | 'critical';

export interface Fact {
  label: string;
  value: string;
}

export interface NotificationContent {
  kind: NotificationKind;
  severity: Severity;
  title: string;
  facts: Fact[];
  paragraphs: string[];
  link: string | null;
  runId: number | null;
}

export interface RunFacts {
  runId: number;
  /** The bot that owns the run (null: a run without a bot). */
  botId: number | null;
  status: string;
  mode: string;
  configId: number | null;
  errorMessage: string | null;
  startedAt: string;
  stoppedAt: string | null;
  lastUpdateAt: string;
  overallScore: number | null;
  totalPnl: string | null;
  fills: number | null;
  orders: number | null;
  fillRate: number | null;
  durationSeconds: number;
  dataQuality: string | null;
  suggestions: { key: string; current: unknown; suggested: unknown; rationale: string; confidence: number }[];
  suggestionsMessage: string | null;
  analysisId: number | null;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

export function formatPnl(value: string | null): string {
  if (value === null) return 'n/a';
  return `${value.startsWith('-') ? '' : '+'}${value} USDC`;
}

const show = (value: unknown): string =>
  value === null || value === undefined ? 'not set' : JSON.stringify(value);

export function runContent(
  kind: 'run-summary' | 'run-error' | 'run-stale',
  run: RunFacts,
  publicUrl: string,
): NotificationContent {
  const link = `${publicUrl}/runs/${run.runId}`;
  const score = run.overallScore === null ? 'n/a' : `${run.overallScore}/100`;
  const facts: Fact[] = [
    { label: 'Status', value: run.status },
    { label: 'Score', value: score },
    { label: 'P&L', value: formatPnl(run.totalPnl) },
    {
      label: 'Fills',
      value:
        run.fills === null
          ? 'n/a'
          : `${run.fills}${run.orders !== null ? ` of ${run.orders} orders` : ''}${run.fillRate !== null ? ` (${(run.fillRate * 100).toFixed(1)}%)` : ''}`,
    },
    { label: 'Duration', value: formatDuration(run.durationSeconds) },
    { label: 'Mode', value: run.mode },
    { label: 'Config version', value: run.configId === null ? 'none' : String(run.configId) },
  ];
  const paragraphs: string[] = [];
  let title: string;
  let severity: Severity = 'info';
  if (kind === 'run-error') {
    severity = 'critical';
    title = `Run #${run.runId} stopped with an error`;
    paragraphs.push(`Error: ${run.errorMessage ?? '(no message sent)'}`);
  } else if (kind === 'run-stale') {
    severity = 'warning';
    const silent = Math.max(
      0,
      Math.round(
        (Date.parse(run.stoppedAt ?? new Date().toISOString()) - Date.parse(run.lastUpdateAt)) / 1000,
      ),
    );
    title = `Run #${run.runId} went stale (no update for ${formatDuration(silent)})`;
    paragraphs.push(
      `The bot stopped reporting at ${run.lastUpdateAt}; the run was closed as stale. Check that the bot is still alive.`,
    );
  } else {
    title = `Run #${run.runId} ${run.status} · score ${score} · P&L ${formatPnl(run.totalPnl)}`;
  }
  if (run.suggestions.length > 0) {
    paragraphs.push(
      `Top suggestions:\n${run.suggestions
        .slice(0, 3)
        .map(
          (s) =>
            `- ${s.key}: ${show(s.current)} → ${show(s.suggested)} (confidence ${Math.round(s.confidence * 100)}%). ${s.rationale}`,
        )
        .join('\n')}`,
    );
  } else if (run.suggestionsMessage) {
    paragraphs.push(run.suggestionsMessage);
  }
  return { kind, severity, title, facts, paragraphs, link, runId: run.runId };
}

export function walletLowContent(
  source: string,
  balance: string,
  threshold: string,
  publicUrl: string,
): NotificationContent {
  const what = source.startsWith('chain:')
    ? `Watched wallet ${source.slice(6)}`
    : `Wallet reported by ${source.replace('bot:', 'API key #')}`;
  return {
    kind: 'wallet-low',
    severity: 'warning',
    title: `Wallet balance low: ${balance} USDC (threshold ${threshold})`,
    facts: [
      { label: 'Balance', value: `${balance} USDC` },
      { label: 'Threshold', value: `${threshold} USDC` },
      { label: 'Source', value: what },
    ],
    paragraphs: [
      'Top the wallet up or lower the bot budgets. This alert is sent once per crossing below the threshold.',
    ],
    link: `${publicUrl}/settings`,
    runId: null,
  };
}

export function testContent(channel: string, publicUrl: string): NotificationContent {
  return {
    kind: 'test',
    severity: 'info',
    title: `Test notification (${channel})`,
    facts: [{ label: 'Sent at', value: new Date().toISOString() }],
    paragraphs: ['If you can read this, the PolyMaker Command Center can reach you on this channel.'],
    link: `${publicUrl}/notifications`,
    runId: null,
  };
}

export function renderText(content: NotificationContent): string {
  const lines = [content.title, '', ...content.facts.map((fact) => `${fact.label}: ${fact.value}`)];
  for (const paragraph of content.paragraphs) lines.push('', paragraph);
  if (content.link) lines.push('', `Open in the Command Center: ${content.link}`);
  return `${lines.join('\n')}\n`;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export function renderHtml(content: NotificationContent): string {
  const rows = content.facts
    .map(
      (fact) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(fact.label)}</th><td>${escapeHtml(fact.value)}</td></tr>`,
    )
    .join('');
  const paragraphs = content.paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
  const link = content.link
    ? `<p><a href="${escapeHtml(content.link)}">Open in the Command Center</a></p>`
    : '';
  return `<!doctype html><html><body style="font-family:sans-serif"><h2>${escapeHtml(content.title)}</h2><table>${rows}</table>${paragraphs}${link}</body></html>`;
}
