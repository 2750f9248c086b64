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
--> statement-breakpoint
-- Lets one multi-statement round trip refuse to commit when a check on what it wrote fails.
CREATE OR REPLACE FUNCTION jeton_assert(ok boolean, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'invariant violated: %', message USING ERRCODE = 'P0001';
  END IF;
END
$$;
