export { runsRoutes } from './lib/runs.routes';
