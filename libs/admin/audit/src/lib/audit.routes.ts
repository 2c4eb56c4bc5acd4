import { Routes } from '@angular/router';
import { AuditPageComponent } from './audit-page.component';

export const auditRoutes: Routes = [{ path: '', component: AuditPageComponent }];
