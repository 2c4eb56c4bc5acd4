import { Routes } from '@angular/router';
import { SettingsPageComponent } from './settings-page.component';

export const settingsRoutes: Routes = [{ path: '', component: SettingsPageComponent }];
