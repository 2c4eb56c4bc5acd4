export { configsRoutes } from './lib/configs.routes';
