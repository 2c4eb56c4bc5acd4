import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { ThemeService } from '@polymaker/admin/ui';

@Component({
  selector: 'pm-root',
  imports: [RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<router-outlet />`,
})
export class AppComponent {
  // Applies the saved or system theme before the first page renders.
  protected readonly theme = inject(ThemeService);
}
