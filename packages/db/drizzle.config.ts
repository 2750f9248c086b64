import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './packages/db/src/schema.ts',
    './packages/db/src/catalog/schema.ts',
    './packages/db/src/runs/schema.ts',
    './packages/db/src/accounts/schema.ts',
    './packages/db/src/payments/schema.ts',
    './packages/db/src/webhooks/schema.ts',
  ],
  out: './packages/db/drizzle',
});
