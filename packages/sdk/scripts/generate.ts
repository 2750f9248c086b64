// Regenerates the SDK's view of the API from the server code: `npm run sdk:generate`.
// openapi.json and src/schema.d.ts are committed; src/openapi-drift.test.ts fails when they go stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  OPENAPI_JSON,
  renderOpenApiJson,
  renderSchemaTypes,
  SCHEMA_DTS,
  serverDocument,
} from './openapi-source.ts';

const document = await serverDocument();
writeFileSync(OPENAPI_JSON, renderOpenApiJson(document));
writeFileSync(SCHEMA_DTS, await renderSchemaTypes(document));
const paths = Object.keys(document.paths ?? {});
console.log(
  `Wrote ${fileURLToPath(OPENAPI_JSON)} and ${fileURLToPath(SCHEMA_DTS)} (${paths.length} paths: ${paths.join(', ')}).`,
);
