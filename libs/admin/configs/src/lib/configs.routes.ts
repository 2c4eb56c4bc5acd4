import { Routes } from '@angular/router';
import { ConfigEditorPageComponent } from './config-editor-page.component';
import { ConfigsPageComponent } from './configs-page.component';

export const configsRoutes: Routes = [
  { path: '', component: ConfigsPageComponent },
  { path: 'new', component: ConfigEditorPageComponent, title: 'New config version · PolyMaker' },
  { path: ':id', component: ConfigEditorPageComponent, title: 'Config version · PolyMaker' },
];
