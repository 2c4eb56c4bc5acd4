export * from './api-process';
export * from './http-client';
export * from './test-postgres';
export * from './nginx';
