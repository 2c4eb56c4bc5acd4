import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AsyncStateComponent } from './async-state.component';
import { MoneyComponent } from './money.component';
import { createSorter } from './sort';

@Component({
  imports: [MoneyComponent, AsyncStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <pm-money id="pnl" [value]="pnl()" [signed]="true" />
    <pm-async-state
      what="runs"
      [pending]="pending()"
      [error]="error()"
      [empty]="empty()"
      emptyText="No runs yet."
      ><p id="content">rows</p></pm-async-state
    >
  `,
})
class HostComponent {
  readonly pnl = signal<string | null>('-1234.5');
  readonly pending = signal(true);
  readonly error = signal<string | null>(null);
  readonly empty = signal(false);
}

describe('ui pieces', () => {
  it('shows money from the decimal string with its sign colour', async () => {
    const fixture = TestBed.createComponent(HostComponent);
    await fixture.whenStable();
    const money = fixture.nativeElement.querySelector('#pnl span') as HTMLElement;
    expect(money.textContent).toBe('−1,234.50');
    expect(money.classList.contains('neg')).toBe(true);
    fixture.componentInstance.pnl.set('0.48');
    await fixture.whenStable();
    expect(money.textContent).toBe('+0.48');
    expect(money.classList.contains('pos')).toBe(true);
  });

  it('walks through loading, empty, error and content states', async () => {
    const fixture = TestBed.createComponent(HostComponent);
    const host = fixture.componentInstance;
    const el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    expect(el.textContent).toContain('Loading runs');
    host.pending.set(false);
    host.empty.set(true);
    await fixture.whenStable();
    expect(el.textContent).toContain('No runs yet.');
    host.empty.set(false);
    host.error.set('The server cannot be reached.');
    await fixture.whenStable();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('The server cannot be reached.');
    expect(el.querySelector('#content')).not.toBeNull();
  });

  it('sorts decimal strings exactly and toggles direction', () => {
    const rows = signal([{ p: '10.5' }, { p: '9.99' }, { p: '100' }]);
    const sorter = createSorter(rows, 'p', 'desc');
    expect(sorter.rows().map((r) => r.p)).toEqual(['100', '10.5', '9.99']);
    sorter.toggle('p');
    expect(sorter.rows().map((r) => r.p)).toEqual(['9.99', '10.5', '100']);
    expect(sorter.ariaSort('p')).toBe('ascending');
  });
});
