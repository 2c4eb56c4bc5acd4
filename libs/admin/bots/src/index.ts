export { botsRoutes } from './lib/bots.routes';
