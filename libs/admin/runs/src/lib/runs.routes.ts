import { Routes } from '@angular/router';
import { RunComparePageComponent } from './run-compare-page.component';
import { RunDetailPageComponent } from './run-detail-page.component';
import { RunsListPageComponent } from './runs-list-page.component';

export const runsRoutes: Routes = [
  { path: '', component: RunsListPageComponent },
  { path: 'compare', component: RunComparePageComponent, title: 'Compare runs · PolyMaker' },
  { path: ':id', component: RunDetailPageComponent, title: 'Run · PolyMaker' },
];
