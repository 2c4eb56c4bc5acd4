// The client generated from openapi/openapi.json by ng-openapi-gen (`npm run api-client`).
// Only libs/admin/data-access imports it.
export * from './generated/index';
export * from './generated/services';
