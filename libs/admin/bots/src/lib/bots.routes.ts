import { Routes } from '@angular/router';
import { BotPageComponent } from './bot-page.component';
import { BotsPageComponent } from './bots-page.component';

export const botsRoutes: Routes = [
  { path: '', component: BotsPageComponent },
  { path: ':id', component: BotPageComponent, title: 'Bot · PolyMaker' },
];
