import { Routes } from '@angular/router';
import { MarketsPageComponent } from './markets-page.component';

export const marketsRoutes: Routes = [{ path: '', component: MarketsPageComponent }];
