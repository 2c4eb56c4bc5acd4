export { pnlRoutes } from './lib/pnl.routes';
