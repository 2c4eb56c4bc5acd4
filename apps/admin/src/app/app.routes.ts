import { inject } from '@angular/core';
import { CanActivateFn, Router, Routes } from '@angular/router';
import { AdminSession } from '@polymaker/admin/data-access';
import { ShellComponent } from './shell.component';
import { SignInComponent } from './sign-in.component';

/** Signed in, and /me loaded (after a reload of the tab), so every page knows what the key may do before it renders. */
const signedIn: CanActivateFn = async (_route, state) => {
  const session = inject(AdminSession);
  const router = inject(Router);
  if (session.signedIn()) {
    const problem = await session.ensureMe();
    if (!problem) return true;
    if (session.signedIn()) session.signOut(`Signed out: ${problem}`);
  }
  return router.createUrlTree(['/sign-in'], {
    queryParams: state.url && state.url !== '/' ? { returnTo: state.url } : {},
  });
};

/** Each feature is its own lazy chunk. */
export const appRoutes: Routes = [
  { path: 'sign-in', component: SignInComponent, title: 'Sign in · PolyMaker' },
  {
    path: '',
    component: ShellComponent,
    canActivate: [signedIn],
    canActivateChild: [signedIn],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
      {
        path: 'dashboard',
        title: 'Dashboard · PolyMaker',
        loadChildren: () => import('@polymaker/admin/dashboard').then((m) => m.dashboardRoutes),
      },
      {
        path: 'bots',
        title: 'Bots · PolyMaker',
        loadChildren: () => import('@polymaker/admin/bots').then((m) => m.botsRoutes),
      },
      {
        path: 'pnl',
        title: 'P&L · PolyMaker',
        loadChildren: () => import('@polymaker/admin/pnl').then((m) => m.pnlRoutes),
      },
      {
        path: 'runs',
        title: 'Runs · PolyMaker',
        loadChildren: () => import('@polymaker/admin/runs').then((m) => m.runsRoutes),
      },
      {
        path: 'trades',
        title: 'Trades · PolyMaker',
        loadChildren: () => import('@polymaker/admin/trades').then((m) => m.tradesRoutes),
      },
      {
        path: 'markets',
        title: 'Markets · PolyMaker',
        loadChildren: () => import('@polymaker/admin/markets').then((m) => m.marketsRoutes),
      },
      {
        path: 'configs',
        title: 'Configs · PolyMaker',
        loadChildren: () => import('@polymaker/admin/configs').then((m) => m.configsRoutes),
      },
      {
        path: 'experiments',
        title: 'Experiments · PolyMaker',
        loadChildren: () => import('@polymaker/admin/experiments').then((m) => m.experimentsRoutes),
      },
      {
        path: 'analysis',
        title: 'Analysis · PolyMaker',
        loadChildren: () => import('@polymaker/admin/analysis').then((m) => m.analysisRoutes),
      },
      {
        path: 'notifications',
        title: 'Notifications · PolyMaker',
        loadChildren: () => import('@polymaker/admin/notifications').then((m) => m.notificationsRoutes),
      },
      {
        path: 'audit',
        title: 'Audit · PolyMaker',
        loadChildren: () => import('@polymaker/admin/audit').then((m) => m.auditRoutes),
      },
      {
        path: 'settings',
        title: 'Settings · PolyMaker',
        loadChildren: () => import('@polymaker/admin/settings').then((m) => m.settingsRoutes),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
