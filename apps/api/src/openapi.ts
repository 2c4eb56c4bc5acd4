import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document, with keys sorted so the committed file diffs cleanly. */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('PolyMaker Command Center')
    .setDescription(
      'Bots push runs, trades, metrics and markets under /api/bot (the legacy wire contract) and poll their config. ' +
        'Admins manage configs, runs, trades, markets and API keys under /api/v1. Every call carries an X-Api-Key header; ' +
        'bot keys reach /api/bot only, admin keys reach everything. Errors are JSON: {statusCode, error, message, details?, requestId}.',
    )
    .setVersion(version)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A bot or admin API key' },
      'api-key',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey: string, methodKey: string) => `${controllerKey}_${methodKey}`,
  });
  return sortKeys(document) as OpenAPIObject;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  }
  return value;
}
