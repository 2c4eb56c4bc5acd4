export { experimentsRoutes } from './lib/experiments.routes';
