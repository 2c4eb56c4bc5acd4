import { ChangeDetectionStrategy, Component, Provider, computed, inject, input } from '@angular/core';
import { NgxEchartsDirective, provideEchartsCore } from 'ngx-echarts';
import { formatDuration } from '@polymaker/admin/util';
import { ThemeService } from './theme';

export interface ChartSeries {
  name: string;
  /** [time in ms, value] */
  points: ReadonlyArray<[number, number]>;
  kind?: 'line' | 'bar' | 'scatter';
  area?: boolean;
  step?: boolean;
}

/** ECharts, loaded on first use (its own lazy chunk). Add to the providers of a feature's routes or the app. */
export function provideAdminCharts(): Provider {
  return provideEchartsCore({ echarts: () => import('./echarts-setup').then((m) => m.echarts) });
}

const PALETTE_LIGHT = ['#1f5fd1', '#11763a', '#b42318', '#8a5a00', '#6b3fa0', '#0e7490'];
const PALETTE_DARK = ['#6ea2ff', '#4fd186', '#ff8a80', '#f2c14e', '#c4a2ff', '#5ed4e6'];

/** A time-series chart with the app's theme; the label doubles as its accessible name. */
@Component({
  selector: 'pm-chart',
  imports: [NgxEchartsDirective],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure [attr.aria-label]="label()">
      @if (hasData()) {
        <div
          echarts
          class="chart"
          [options]="options()"
          [style.height.px]="height()"
          role="img"
          [attr.aria-label]="summary()"
        ></div>
      } @else {
        <div class="empty" [style.height.px]="height()">{{ emptyText() }}</div>
      }
    </figure>
  `,
  styles: `
    figure {
      margin: 0;
    }
    .chart {
      width: 100%;
    }
    .empty {
      display: grid;
      place-items: center;
      color: var(--muted);
      border: 1px dashed var(--border);
      border-radius: var(--radius);
    }
  `,
})
export class ChartComponent {
  private readonly theme = inject(ThemeService);
  readonly label = input.required<string>();
  readonly series = input.required<readonly ChartSeries[]>();
  readonly height = input(240);
  readonly unit = input('');
  readonly emptyText = input('No data points yet.');
  /** time: x is a date; elapsed: x is milliseconds since the start, labelled as a duration. */
  readonly axis = input<'time' | 'elapsed'>('time');

  protected readonly hasData = computed(() => this.series().some((s) => s.points.length > 0));
  protected readonly summary = computed(() => {
    const parts = this.series().map((s) => {
      const last = s.points.at(-1);
      return `${s.name}: ${s.points.length} points${last ? `, latest ${last[1]}${this.unit() ? ' ' + this.unit() : ''}` : ''}`;
    });
    return `${this.label()}. ${parts.join('; ')}`;
  });

  protected readonly options = computed(() => {
    const dark = this.theme.effective() === 'dark';
    const text = dark ? '#9aa7b6' : '#55606e';
    const grid = dark ? '#2d3947' : '#e3e8ee';
    const many = this.series().length > 1;
    return {
      animation: false,
      color: dark ? PALETTE_DARK : PALETTE_LIGHT,
      grid: { left: 8, right: 16, top: many ? 32 : 12, bottom: 8, containLabel: true },
      legend: many ? { top: 0, textStyle: { color: text } } : undefined,
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: number) =>
          typeof v === 'number' ? `${+v.toFixed(6)}${this.unit() ? ' ' + this.unit() : ''}` : String(v),
      },
      xAxis: {
        type: this.axis() === 'time' ? 'time' : 'value',
        axisLabel: {
          color: text,
          hideOverlap: true,
          formatter: this.axis() === 'elapsed' ? (v: number) => formatDuration(v / 1000) : undefined,
        },
        axisLine: { lineStyle: { color: grid } },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        scale: true,
        axisLabel: { color: text },
        splitLine: { lineStyle: { color: grid } },
      },
      series: this.series().map((s) => ({
        name: s.name,
        type: s.kind ?? 'line',
        data: s.points,
        showSymbol: s.points.length < 40,
        step: s.step ? 'end' : undefined,
        areaStyle: s.area ? { opacity: 0.12 } : undefined,
        lineStyle: { width: 2 },
      })),
    };
  });
}
