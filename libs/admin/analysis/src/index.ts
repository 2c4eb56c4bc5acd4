export { analysisRoutes } from './lib/analysis.routes';
