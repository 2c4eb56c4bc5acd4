import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { ValuePipe } from '@polymaker/admin/ui';

interface Suggestion {
  key: string;
  text: string;
  detail: unknown;
}

/**
 * The analysis made when a run stopped, whatever its exact shape: numeric entries (and a `scores` object)
 * render as score bars, a `suggestions` array as a list, the rest as key/value pairs.
 */
@Component({
  selector: 'pm-run-analysis',
  imports: [ValuePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (analysis(); as a) {
      @if (scores().length) {
        <ul class="scores" aria-label="Scores">
          @for (s of scores(); track s.name) {
            <li>
              <span class="name">{{ s.name }}</span>
              <span class="bar" aria-hidden="true"><span [style.width.%]="s.pct"></span></span>
              <span class="num">{{ s.value }}</span>
            </li>
          }
        </ul>
      }
      @if (suggestions().length) {
        <h3>Suggestions</h3>
        <ul class="suggestions">
          @for (s of suggestions(); track s.key) {
            <li>{{ s.text }}</li>
          }
        </ul>
      }
      @if (rest().length) {
        <dl class="pairs">
          @for (r of rest(); track r[0]) {
            <dt>{{ r[0] }}</dt>
            <dd><code>{{ r[1] | pmValue }}</code></dd>
          }
        </dl>
      }
    } @else {
      <p class="muted">No analysis yet: the server analyses a run when it stops.</p>
    }
  `,
  styles: `
    .scores { list-style: none; padding: 0; margin: 0 0 0.75rem; display: flex; flex-direction: column; gap: 0.35rem; }
    .scores li { display: grid; grid-template-columns: minmax(8rem, 1fr) 2fr 3rem; gap: 0.5rem; align-items: center; }
    .bar { height: 0.5rem; background: var(--surface-2); border-radius: 999px; overflow: hidden; }
    .bar span { display: block; height: 100%; background: var(--accent); }
    .suggestions { margin: 0 0 0.75rem; padding-left: 1.1rem; }
  `,
})
export class RunAnalysisComponent {
  readonly analysis = input.required<Record<string, unknown> | null>();

  protected readonly scores = computed(() => {
    const a = this.analysis();
    if (!a) return [];
    const source: Record<string, unknown> = { ...(typeof a['scores'] === 'object' && a['scores'] ? (a['scores'] as Record<string, unknown>) : {}) };
    for (const [k, v] of Object.entries(a)) if (/score/i.test(k) && typeof v === 'number') source[k] = v;
    return Object.entries(source)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .map(([name, value]) => ({ name, value, pct: Math.max(0, Math.min(100, value)) }));
  });

  protected readonly suggestions = computed<Suggestion[]>(() => {
    const list = this.analysis()?.['suggestions'];
    if (!Array.isArray(list)) return [];
    return list.map((item, i) => {
      if (typeof item === 'string') return { key: String(i), text: item, detail: item };
      const o = (item ?? {}) as Record<string, unknown>;
      const change = o['key'] !== undefined ? `${String(o['key'])}: ${JSON.stringify(o['from'] ?? o['current'] ?? null)} → ${JSON.stringify(o['to'] ?? o['suggested'] ?? o['value'] ?? null)}` : '';
      const why = String(o['reason'] ?? o['message'] ?? o['text'] ?? '');
      return { key: String(i), text: [change, why].filter(Boolean).join(' — ') || JSON.stringify(o), detail: o };
    });
  });

  protected readonly rest = computed(() => {
    const a = this.analysis();
    if (!a) return [];
    const shown = new Set(['scores', 'suggestions', ...this.scores().map((s) => s.name)]);
    return Object.entries(a).filter(([k]) => !shown.has(k));
  });
}
