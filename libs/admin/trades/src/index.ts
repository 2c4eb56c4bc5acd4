export { tradesRoutes } from './lib/trades.routes';
