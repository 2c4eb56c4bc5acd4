export * from './lib/decimal';
export * from './lib/time';
