export { notificationsRoutes } from './lib/notifications.routes';
