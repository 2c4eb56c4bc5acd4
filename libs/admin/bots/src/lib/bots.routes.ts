import { Routes } from '@angular/router';
import { BotsPageComponent } from './bots-page.component';

export const botsRoutes: Routes = [{ path: '', component: BotsPageComponent }];
