import { Routes } from '@angular/router';
import { NotificationsPageComponent } from './notifications-page.component';

export const notificationsRoutes: Routes = [{ path: '', component: NotificationsPageComponent }];
