import { Routes } from '@angular/router';
import { PnlPageComponent } from './pnl-page.component';

export const pnlRoutes: Routes = [{ path: '', component: PnlPageComponent }];
