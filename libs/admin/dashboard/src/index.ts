export { dashboardRoutes } from './lib/dashboard.routes';
