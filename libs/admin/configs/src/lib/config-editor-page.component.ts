import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import {
  AdminApi,
  AdminSession,
  ConfigKeySpec,
  ConfigVersion,
  FieldProblem,
  SafeActivation,
  apiErrorMessage,
  createLoader,
  toApiProblem,
} from '@polymaker/admin/data-access';
import {
  ActivationConfirmComponent,
  AsyncStateComponent,
  IconComponent,
  StatusBadgeComponent,
  TimePipe,
  ValuePipe,
} from '@polymaker/admin/ui';
import { ActivationPreview } from '@polymaker/admin/util';
import {
  FieldText,
  changesBetween,
  fromFieldText,
  groupSpecs,
  localProblem,
  toFieldText,
} from './config-form';

/**
 * A form generated from GET /api/v1/config-schema (types, bounds, defaults, help, validation from the server)
 * with a raw JSON view. Saving makes a new version on top of the one shown; nothing changes for the bots until
 * a version is activated.
 */
@Component({
  selector: 'pm-config-editor-page',
  imports: [
    FormsModule,
    RouterLink,
    ActivationConfirmComponent,
    AsyncStateComponent,
    IconComponent,
    StatusBadgeComponent,
    TimePipe,
    ValuePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/configs">← Configs</a></p>
    <pm-async-state
      what="the config"
      [pending]="schema.pending() || base.pending()"
      [error]="schema.error() ?? base.error()"
      (retry)="reloadAll()"
      [empty]="!schema.value()"
    >
      <div class="page-head">
        <div>
          @if (base.value(); as b) {
            <h1>
              Config v{{ b.version }}
              @if (b.isActive) {
                <pm-status-badge status="active" />
              }
            </h1>
            <p>
              {{ b.source }} · {{ b.createdAt | pmTime }}{{ b.note ? ' · ' + b.note : '' }}. Edit to make a
              new version based on v{{ b.version }}.
            </p>
          } @else {
            <h1>New config</h1>
            <p>No version exists yet: this becomes the first.</p>
          }
        </div>
        <div class="toolbar">
          @if (base.value(); as b) {
            @if (!b.isActive && session.can('configs.activate')) {
              <button type="button" (click)="activateBase()" [disabled]="busy()" data-testid="activate-shown">
                <pm-icon name="check" /> Activate v{{ b.version }}
              </button>
            }
          }
        </div>
      </div>

      @if (saveError(); as message) {
        <div class="alert bad" role="alert" data-testid="save-error">{{ message }}</div>
      }
      @if (saved(); as v) {
        <div class="alert good" role="status" data-testid="save-notice">
          Saved as v{{ v.version
          }}{{ v.isActive ? ' and activated: bots pick it up at their next poll' : '' }}.
          <a [routerLink]="['/configs', v.id]">Open v{{ v.version }}</a>
        </div>
      }

      <div class="tabs" role="tablist" aria-label="Editor view">
        <button
          type="button"
          role="tab"
          [attr.aria-selected]="view() === 'form'"
          (click)="showForm()"
          [class.on]="view() === 'form'"
        >
          Form
        </button>
        <button
          type="button"
          role="tab"
          [attr.aria-selected]="view() === 'json'"
          (click)="showJson()"
          [class.on]="view() === 'json'"
          data-testid="raw-json-tab"
        >
          Raw JSON
        </button>
      </div>

      @if (view() === 'form') {
        <form class="editor" (ngSubmit)="save(false)" aria-label="Config values" novalidate>
          @for (g of groups(); track g.group) {
            <fieldset class="card">
              <legend>{{ g.group }}</legend>
              <div class="fields">
                @for (spec of g.specs; track spec.key) {
                  <div class="field" [class.changed]="isChanged(spec.key)">
                    @if (spec.type === 'boolean') {
                      <label class="check" [for]="'f-' + spec.key">
                        <input
                          type="checkbox"
                          [id]="'f-' + spec.key"
                          [checked]="texts()[spec.key] === true"
                          (change)="setField(spec, $any($event.target).checked)"
                          [attr.aria-describedby]="'h-' + spec.key"
                          [attr.data-key]="spec.key"
                        />
                        <code>{{ spec.key }}</code>
                      </label>
                    } @else {
                      <label [for]="'f-' + spec.key"
                        ><code>{{ spec.key }}</code>
                        @if (spec.unit) {
                          <span class="muted"> ({{ spec.unit }})</span>
                        }
                      </label>
                      @if (spec.type === 'enum') {
                        <select
                          [id]="'f-' + spec.key"
                          [value]="texts()[spec.key]"
                          (change)="setField(spec, $any($event.target).value)"
                          [attr.aria-describedby]="'h-' + spec.key"
                          [attr.aria-invalid]="!!problem(spec.key)"
                          [attr.data-key]="spec.key"
                        >
                          <option value="">(not set)</option>
                          @for (o of spec.options ?? []; track o) {
                            <option [value]="o" [selected]="texts()[spec.key] === o">{{ o }}</option>
                          }
                        </select>
                      } @else {
                        <input
                          [id]="'f-' + spec.key"
                          [type]="spec.type === 'number' || spec.type === 'integer' ? 'number' : 'text'"
                          [attr.step]="spec.type === 'integer' ? 1 : 'any'"
                          [attr.min]="spec.min ?? null"
                          [attr.max]="spec.max ?? null"
                          [value]="texts()[spec.key]"
                          (input)="setField(spec, $any($event.target).value)"
                          [attr.aria-describedby]="'h-' + spec.key"
                          [attr.aria-invalid]="!!problem(spec.key)"
                          [attr.placeholder]="
                            spec.default === null ? 'bot default' : 'default ' + (spec.default | pmValue)
                          "
                          [attr.data-key]="spec.key"
                        />
                      }
                    }
                    <span class="help" [id]="'h-' + spec.key">{{ spec.description }}{{ bounds(spec) }}</span>
                    @if (problem(spec.key); as p) {
                      <span class="problem" role="alert" [attr.data-problem]="spec.key">{{ p }}</span>
                    }
                  </div>
                }
              </div>
            </fieldset>
          }
          @if (otherKeys().length) {
            <fieldset class="card">
              <legend>Other keys (passed to the bot unchanged)</legend>
              <dl class="pairs">
                @for (k of otherKeys(); track k) {
                  <dt>
                    <code>{{ k }}</code>
                  </dt>
                  <dd>
                    <code>{{ draft()[k] | pmValue }}</code>
                  </dd>
                }
              </dl>
              <p class="muted">Edit these in the raw JSON view.</p>
            </fieldset>
          }
        </form>
      } @else {
        <div class="card">
          <label for="raw-json">Values as JSON</label>
          <textarea
            id="raw-json"
            rows="22"
            [value]="rawText()"
            (input)="setRaw($any($event.target).value)"
            [attr.aria-invalid]="!!rawError()"
            aria-describedby="raw-help"
            spellcheck="false"
            data-testid="raw-json"
          ></textarea>
          <span id="raw-help" class="help muted"
            >The whole config. Keys outside the schema are kept and passed to the bot as they are.</span
          >
          @if (rawError(); as e) {
            <p class="problem" role="alert">{{ e }}</p>
          }
        </div>
      }

      @if (!session.can('configs.create')) {
        <div class="alert info" role="status" data-testid="read-only">
          Read only: the key you signed in with ({{ session.me()?.scope }}) may not change configs.
        </div>
      } @else {
        <div class="card savebar">
          <div class="field note">
            <label for="note">Note</label
            ><input
              id="note"
              name="note"
              [(ngModel)]="note"
              placeholder="Why this change (shown in the versions list)"
            />
          </div>
          <div class="toolbar">
            <span class="muted" aria-live="polite"
              >{{ changeCount() }} change(s){{
                validating() ? ' · checking…' : problemCount() ? ' · ' + problemCount() + ' problem(s)' : ''
              }}</span
            >
            <button type="button" (click)="save(false)" [disabled]="!canSave()" data-testid="save-config">
              Save new version
            </button>
            @if (session.can('configs.activate')) {
              <button
                type="button"
                class="primary"
                (click)="save(true)"
                [disabled]="!canSave()"
                data-testid="save-activate-config"
              >
                <pm-icon name="check" /> Save and activate
              </button>
            }
          </div>
        </div>
      }
    </pm-async-state>
    <pm-activation-confirm />
  `,
  styles: `
    .tabs {
      display: flex;
      gap: 0.25rem;
      margin-bottom: 0.75rem;
    }
    .tabs button.on {
      background: var(--info-bg);
      color: var(--accent);
      border-color: var(--accent);
      font-weight: 600;
    }
    .editor {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    fieldset {
      margin: 0;
    }
    legend {
      font-weight: 650;
      padding: 0 0.35rem;
    }
    .fields {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 260px), 1fr));
      gap: 0.9rem 1rem;
    }
    .field.changed > label code {
      background: var(--warn-bg);
      color: var(--warn);
      padding: 0 0.2rem;
      border-radius: 3px;
    }
    .check {
      display: flex;
      align-items: center;
      gap: 0.45rem;
      min-height: 36px;
    }
    .problem {
      color: var(--bad);
      font-size: 0.8rem;
    }
    .savebar {
      position: sticky;
      bottom: 0;
      margin-top: 1rem;
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: end;
      justify-content: space-between;
      z-index: 2;
    }
    .note {
      flex: 1 1 260px;
    }
    h1 {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
  `,
})
export class ConfigEditorPageComponent {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  protected readonly session = inject(AdminSession);
  private readonly safe = inject(SafeActivation);
  private readonly confirm = viewChild.required(ActivationConfirmComponent);
  private readonly ask = (preview: ActivationPreview) => this.confirm().ask(preview);
  /** Route param: the version shown (absent on /configs/new). */
  readonly id = input<string | undefined>();
  /** ?from= on /configs/new */
  readonly from = input<string | undefined>();

  protected readonly schema = createLoader(() => this.api.configSchema());
  protected readonly base = createLoader<ConfigVersion | null>(
    () => {
      const id = Number(this.id() ?? this.from());
      return id > 0 ? this.api.getConfig(id) : this.api.activeConfig();
    },
    { immediate: false },
  );

  protected readonly view = signal<'form' | 'json'>('form');
  protected readonly draft = signal<Record<string, unknown>>({});
  protected readonly texts = signal<Record<string, FieldText>>({});
  private readonly parseErrors = signal<Record<string, string>>({});
  private readonly serverProblems = signal<FieldProblem[]>([]);
  protected readonly rawText = signal('{}');
  protected readonly rawError = signal<string | null>(null);
  protected readonly validating = signal(false);
  protected readonly busy = signal(false);
  protected readonly saveError = signal<string | null>(null);
  protected readonly saved = signal<ConfigVersion | null>(null);
  protected note = '';
  private validateTimer: ReturnType<typeof setTimeout> | null = null;
  private validateSeq = 0;

  protected readonly specs = computed(() => this.schema.value()?.keys ?? []);
  protected readonly groups = computed(() => groupSpecs(this.specs()));
  protected readonly otherKeys = computed(() => {
    const known = new Set(this.specs().map((s) => s.key));
    return Object.keys(this.draft())
      .filter((k) => !known.has(k))
      .sort();
  });
  protected readonly changes = computed(() => changesBetween(this.base.value()?.values ?? {}, this.draft()));
  protected readonly changeCount = computed(() => Object.keys(this.changes()).length);
  private readonly problems = computed(() => {
    const out: Record<string, string> = {};
    for (const spec of this.specs()) {
      const local = localProblem(spec, this.draft()[spec.key]);
      if (local) out[spec.key] = local;
    }
    for (const p of this.serverProblems()) out[p.field] = p.message;
    return { ...out, ...this.parseErrors() };
  });
  protected readonly problemCount = computed(
    () => Object.keys(this.problems()).length + (this.rawError() ? 1 : 0),
  );
  protected readonly canSave = computed(
    () => !this.busy() && this.problemCount() === 0 && (this.changeCount() > 0 || !this.base.value()),
  );

  constructor() {
    effect(() => {
      this.id();
      this.from();
      untracked(() => void this.base.reload());
    });
    effect(() => {
      const base = this.base.value();
      const specs = this.specs();
      if (base === undefined || !this.schema.value()) return;
      untracked(() => this.loadDraft(base?.values ?? this.defaults(specs)));
    });
  }

  protected reloadAll(): void {
    void this.schema.reload();
    void this.base.reload();
  }

  private defaults(specs: readonly ConfigKeySpec[]): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const s of specs) if (s.default !== null && s.default !== undefined) values[s.key] = s.default;
    return values;
  }

  private loadDraft(values: Record<string, unknown>): void {
    this.draft.set({ ...values });
    const texts: Record<string, FieldText> = {};
    for (const spec of this.specs()) texts[spec.key] = toFieldText(spec, values[spec.key]);
    this.texts.set(texts);
    this.parseErrors.set({});
    this.serverProblems.set([]);
    this.rawText.set(JSON.stringify(values, null, 2));
    this.rawError.set(null);
  }

  protected problem(key: string): string | null {
    return this.problems()[key] ?? null;
  }

  protected isChanged(key: string): boolean {
    return key in this.changes();
  }

  protected bounds(spec: ConfigKeySpec): string {
    const parts: string[] = [];
    if (spec.min !== undefined && spec.max !== undefined) parts.push(`${spec.min} to ${spec.max}`);
    else if (spec.min !== undefined) parts.push(`at least ${spec.min}`);
    else if (spec.max !== undefined) parts.push(`at most ${spec.max}`);
    parts.push(spec.default === null ? 'default: the bot’s own' : `default ${JSON.stringify(spec.default)}`);
    return ` (${parts.join('; ')})`;
  }

  protected setField(spec: ConfigKeySpec, text: FieldText): void {
    this.texts.update((t) => ({ ...t, [spec.key]: text }));
    const errors = { ...this.parseErrors() };
    delete errors[spec.key];
    try {
      const value = fromFieldText(spec, text);
      this.draft.update((d) => {
        const next = { ...d };
        if (value === undefined) delete next[spec.key];
        else next[spec.key] = value;
        return next;
      });
    } catch (error) {
      errors[spec.key] = (error as Error).message;
    }
    this.parseErrors.set(errors);
    this.scheduleValidation();
  }

  protected showJson(): void {
    this.rawText.set(JSON.stringify(this.draft(), null, 2));
    this.rawError.set(null);
    this.view.set('json');
  }

  protected showForm(): void {
    if (this.rawError()) return;
    const values = this.draft();
    const texts: Record<string, FieldText> = {};
    for (const spec of this.specs()) texts[spec.key] = toFieldText(spec, values[spec.key]);
    this.texts.set(texts);
    this.parseErrors.set({});
    this.view.set('form');
  }

  protected setRaw(text: string): void {
    this.rawText.set(text);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('The config must be a JSON object: { "key": value, ... }');
      this.rawError.set(null);
      this.draft.set(parsed as Record<string, unknown>);
      this.scheduleValidation();
    } catch (error) {
      this.rawError.set(
        error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : (error as Error).message,
      );
    }
  }

  private scheduleValidation(): void {
    if (this.validateTimer) clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => void this.validate(), 350);
  }

  private async validate(): Promise<void> {
    const mine = ++this.validateSeq;
    this.validating.set(true);
    try {
      const result = await this.api.validateConfig(this.draft());
      if (mine === this.validateSeq) this.serverProblems.set(result.problems);
    } catch {
      // the save answers with the same problems
    } finally {
      if (mine === this.validateSeq) this.validating.set(false);
    }
  }

  protected async save(activate: boolean): Promise<void> {
    if (!this.canSave()) return;
    this.busy.set(true);
    this.saveError.set(null);
    this.saved.set(null);
    const base = this.base.value();
    const body = base
      ? { basedOnId: base.id, values: this.changes(), note: this.note || undefined }
      : { values: this.draft(), note: this.note || undefined };
    try {
      // Activating shows the diff against what the bots get now and waits for confirmation; a plain save changes nothing for them.
      const version = activate
        ? await this.safe.saveAndActivate(body, this.ask)
        : await this.api.createConfig(body);
      if (!version) return;
      this.saved.set(version);
      this.note = '';
      await this.router.navigate(['/configs', version.id], { replaceUrl: !base });
    } catch (error) {
      const problem = toApiProblem(error);
      this.saveError.set(problem.message);
      if (problem.details.length) this.serverProblems.set(problem.details);
    } finally {
      this.busy.set(false);
    }
  }

  protected async activateBase(): Promise<void> {
    const base = this.base.value();
    if (!base) return;
    this.busy.set(true);
    this.saveError.set(null);
    try {
      const version = await this.safe.activate(base.id, this.ask);
      if (!version) return;
      this.base.set(version);
      this.saved.set(null);
    } catch (error) {
      this.saveError.set(apiErrorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
