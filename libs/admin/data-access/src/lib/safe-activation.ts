import { Injectable, inject } from '@angular/core';
import {
  ActivationPreview,
  ConfigValues,
  applyConfigChanges,
  previewBetween,
  previewFromServer,
} from '@polymaker/admin/util';
import { AdminApi } from './admin-api';
import { ConfigVersion } from './models';

/** Shows a preview and resolves true when the person confirms (the pm-activation-confirm dialog's ask). */
export type AskActivation = (preview: ActivationPreview) => Promise<boolean>;

/**
 * Every change of what the bots get goes through here: the diff against the active version is shown and
 * confirmed first, and nothing is sent when the person cancels. When the active version changed while the
 * dialog was open (another admin, another tab), the new diff is shown and confirmed again.
 * Each method resolves to the version now active, or null when cancelled.
 */
@Injectable({ providedIn: 'root' })
export class SafeActivation {
  private readonly api = inject(AdminApi);

  activate(targetId: number, ask: AskActivation): Promise<ConfigVersion | null> {
    return this.confirmThen(
      async () => previewFromServer('activate', await this.api.previewActivation(targetId)),
      ask,
      () => this.api.activateConfig(targetId),
    );
  }

  /** Rolls back to `toVersion`, or to the version active before the current one (the API's default). */
  rollback(ask: AskActivation, toVersion?: number): Promise<ConfigVersion | null> {
    let target = toVersion ?? null;
    return this.confirmThen(
      async () => {
        const view = await this.api.previewRollback(toVersion);
        target = view.configId;
        return previewFromServer('rollback', view);
      },
      ask,
      // The version confirmed, not whatever "previous" means by the time the request lands.
      () => this.api.rollbackConfig(target ?? undefined),
    );
  }

  setPaused(paused: boolean, ask: AskActivation): Promise<ConfigVersion | null> {
    return this.confirmThen(
      async () => {
        const active = await this.api.activeConfig();
        if (!active) throw new Error('No config is active yet: make and activate one under Configs first.');
        return previewBetween(paused ? 'pause' : 'resume', active, {
          id: null,
          values: { ...active.values, pauseOrders: paused },
        });
      },
      ask,
      () => this.api.setPaused(paused),
    );
  }

  /** Saves a new version (changes on top of `basedOnId`, or whole values) and activates it, after confirmation. */
  saveAndActivate(
    body: { values: ConfigValues; basedOnId?: number; note?: string },
    ask: AskActivation,
  ): Promise<ConfigVersion | null> {
    return this.confirmThen(
      async () => {
        const [active, base] = await Promise.all([
          this.api.activeConfig(),
          body.basedOnId === undefined ? null : this.api.getConfig(body.basedOnId),
        ]);
        const merged = base ? applyConfigChanges(base.values, body.values) : body.values;
        // The values as the server would store them; the save itself reports any problem.
        const checked = await this.api.validateConfig(merged).catch(() => null);
        return previewBetween('save-activate', active, {
          id: null,
          values: checked?.valid ? checked.values : merged,
        });
      },
      ask,
      () => this.api.createConfig({ ...body, activate: true }),
    );
  }

  private async confirmThen(
    preview: () => Promise<ActivationPreview>,
    ask: AskActivation,
    commit: () => Promise<ConfigVersion>,
  ): Promise<ConfigVersion | null> {
    let notice: string | null = null;
    for (let round = 0; round < 3; round++) {
      const shown: ActivationPreview = { ...(await preview()), notice };
      if (!(await ask(shown))) return null;
      const now = (await this.api.activeConfig())?.id ?? null;
      if (now === shown.activeId) return commit();
      notice = `The active version changed to ${now === null ? 'none' : `v${now}`} while this was open: here is the diff against it. Confirm again.`;
    }
    throw new Error(
      'The active version keeps changing while you confirm; nothing was activated. Try again in a moment.',
    );
  }
}
