-- The platform's own accounts, present from the first start on every engine.
INSERT INTO "ledger_accounts" ("id", "owner_id", "kind", "non_negative") VALUES
  ('platform:escrow', 'platform', 'escrow', true),
  ('platform:platform_revenue', 'platform', 'platform_revenue', true),
  ('platform:payments_clearing', 'platform', 'payments_clearing', false),
  ('platform:promo_issuance', 'platform', 'promo_issuance', false),
  ('platform:payouts', 'platform', 'payouts', false)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Balances change on every payment: free room on each page lets Postgres update a row in place
-- (a HOT update) without touching its indexes.
ALTER TABLE "ledger_accounts" SET (fillfactor = 50);
