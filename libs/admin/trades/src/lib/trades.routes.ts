import { Routes } from '@angular/router';
import { TradesPageComponent } from './trades-page.component';

export const tradesRoutes: Routes = [{ path: '', component: TradesPageComponent }];
