import { TestBed } from '@angular/core/testing';
import { previewBetween } from '@polymaker/admin/util';
import { ActivationConfirmComponent } from './activation-confirm.component';

// jsdom has no <dialog> behaviour: the smallest stand-in for showModal/close (the browser tests use the real one).
beforeAll(() => {
  const proto = HTMLDialogElement.prototype as HTMLDialogElement & {
    showModal(): void;
    close(value?: string): void;
  };
  proto.showModal = function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  proto.close = function (this: HTMLDialogElement, value?: string) {
    if (value !== undefined) this.returnValue = value;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
});

async function open(
  values: { from: Record<string, unknown>; to: Record<string, unknown> },
  action: 'activate' | 'resume' = 'activate',
) {
  const fixture = TestBed.createComponent(ActivationConfirmComponent);
  await fixture.whenStable();
  const answer = fixture.componentInstance.ask(
    previewBetween(
      action,
      { id: 2, values: values.from },
      { id: action === 'activate' ? 6 : null, values: values.to },
    ),
  );
  await fixture.whenStable();
  return { answer, el: fixture.nativeElement as HTMLElement };
}

describe('activation confirmation', () => {
  it('names the keys that change, shows the diff and says trading resumes', async () => {
    const { answer, el } = await open({
      from: { pauseOrders: true, mmSpreadMin: 0.02, mode: 'dry_run' },
      to: { pauseOrders: false, mmSpreadMin: 0.03, mode: 'dry_run' },
    });
    expect(el.querySelector('h2')?.textContent).toBe('Activate v6?');
    expect(el.querySelector('[data-testid=activation-keys]')?.textContent).toContain(
      '2 keys change: mmSpreadMin, pauseOrders',
    );
    expect(el.querySelector('[data-testid=activation-warning-pauseOrders]')?.textContent).toContain(
      'This RESUMES trading: pauseOrders true → false',
    );
    expect(el.querySelector('[data-testid=activation-warning-mode]')).toBeNull();
    expect(el.textContent).toContain('mode stays dry_run.');
    expect(el.querySelector('[data-key=mmSpreadMin] .old')?.textContent).toBe('0.02');
    expect(el.querySelector('[data-key=mmSpreadMin] .new')?.textContent).toBe('0.03');
    expect(el.querySelector('[data-testid=activation-ok]')?.classList.contains('danger')).toBe(true);
    (el.querySelector('[data-testid=activation-cancel]') as HTMLButtonElement).click();
    await expect(answer).resolves.toBe(false);
  });

  it('resolves true only on the confirm button, labelled for the action', async () => {
    const { answer, el } = await open({ from: { pauseOrders: true }, to: { pauseOrders: false } }, 'resume');
    const ok = el.querySelector('[data-testid=activation-ok]') as HTMLButtonElement;
    expect(ok.textContent?.trim()).toBe('Resume orders');
    ok.click();
    await expect(answer).resolves.toBe(true);
  });

  it('says when nothing changes for the bots', async () => {
    const { answer, el } = await open({ from: { a: 1 }, to: { a: 1 } });
    expect(el.querySelector('[data-testid=activation-keys]')?.textContent).toContain('No key changes');
    expect(el.textContent).toContain('pauseOrders stays false');
    expect(el.querySelector('[data-testid=activation-ok]')?.classList.contains('primary')).toBe(true);
    (el.querySelector('dialog') as HTMLDialogElement).close();
    await expect(answer).resolves.toBe(false);
  });
});
