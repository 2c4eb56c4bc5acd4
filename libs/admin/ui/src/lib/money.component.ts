import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { decimalSign, formatDecimal } from '@polymaker/admin/util';

/** A decimal string (USDC) formatted from its digits, green when positive and red when negative if `signed`. */
@Component({
  selector: 'pm-money',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span [class.pos]="signed() && sign() > 0" [class.neg]="signed() && sign() < 0">{{
    text()
  }}</span>`,
  styles: `
    :host {
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
  `,
})
export class MoneyComponent {
  readonly value = input.required<string | number | null | undefined>();
  readonly digits = input(2);
  readonly signed = input(false);
  protected readonly sign = computed(() => decimalSign(this.value() == null ? null : String(this.value())));
  protected readonly text = computed(() =>
    formatDecimal(this.value(), this.digits(), { sign: this.signed() }),
  );
}
