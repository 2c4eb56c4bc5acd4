export { marketsRoutes } from './lib/markets.routes';
