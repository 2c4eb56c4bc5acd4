import { Routes } from '@angular/router';
import { ExperimentPageComponent } from './experiment-page.component';
import { ExperimentsPageComponent } from './experiments-page.component';

export const experimentsRoutes: Routes = [
  { path: '', component: ExperimentsPageComponent },
  { path: ':id', component: ExperimentPageComponent, title: 'Experiment · PolyMaker' },
];
