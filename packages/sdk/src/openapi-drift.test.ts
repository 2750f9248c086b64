import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  OPENAPI_JSON,
  renderOpenApiJson,
  renderSchemaTypes,
  SCHEMA_DTS,
  serverDocument,
} from '../scripts/openapi-source.ts';

// The SDK is typed from committed files; this fails as soon as the server serves something else, so
// the SDK cannot drift from the API unnoticed. Fix: `npm run sdk:generate`, then adapt the SDK.
describe('the SDK’s view of the API', () => {
  it('is exactly what the server serves at /openapi.json, and the types generated from it', async () => {
    const document = await serverDocument();
    expect(readFileSync(OPENAPI_JSON, 'utf8'), 'openapi.json is stale: npm run sdk:generate').toBe(
      renderOpenApiJson(document),
    );
    expect(readFileSync(SCHEMA_DTS, 'utf8'), 'src/schema.d.ts is stale: npm run sdk:generate').toBe(
      await renderSchemaTypes(document),
    );
  });
});
