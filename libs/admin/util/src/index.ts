export * from './lib/decimal';
export * from './lib/time';
export * from './lib/activation';
export * from './lib/download';
