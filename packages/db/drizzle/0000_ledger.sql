CREATE TABLE "ledger_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"kind" text NOT NULL,
	"non_negative" boolean NOT NULL,
	"debits_pending" bigint DEFAULT 0 NOT NULL,
	"debits_posted" bigint DEFAULT 0 NOT NULL,
	"credits_pending" bigint DEFAULT 0 NOT NULL,
	"credits_posted" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_kind" CHECK ("ledger_accounts"."kind" in ('wallet_paid','wallet_promo','earnings_cash','earnings_credit','escrow','platform_revenue','payments_clearing','promo_issuance','payouts')),
	CONSTRAINT "ledger_accounts_totals_non_negative" CHECK ("ledger_accounts"."debits_pending" >= 0 and "ledger_accounts"."debits_posted" >= 0 and "ledger_accounts"."credits_pending" >= 0 and "ledger_accounts"."credits_posted" >= 0),
	CONSTRAINT "ledger_accounts_debits_within_credits" CHECK (not "ledger_accounts"."non_negative" or "ledger_accounts"."debits_posted" + "ledger_accounts"."debits_pending" <= "ledger_accounts"."credits_posted")
);
--> statement-breakpoint
CREATE TABLE "ledger_holds" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"user_id" text NOT NULL,
	"max" bigint NOT NULL,
	"promo_amount" bigint NOT NULL,
	"paid_amount" bigint NOT NULL,
	"status" text NOT NULL,
	"captured_amount" bigint,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "ledger_holds_parts" CHECK ("ledger_holds"."promo_amount" >= 0 and "ledger_holds"."paid_amount" >= 0 and "ledger_holds"."promo_amount" + "ledger_holds"."paid_amount" = "ledger_holds"."max" and "ledger_holds"."max" > 0),
	CONSTRAINT "ledger_holds_status" CHECK ("ledger_holds"."status" in ('pending','captured','released','expired')),
	CONSTRAINT "ledger_holds_resolved_once" CHECK (("ledger_holds"."status" = 'pending') = ("ledger_holds"."resolved_at" is null)),
	CONSTRAINT "ledger_holds_captured_amount" CHECK (("ledger_holds"."status" = 'captured') = ("ledger_holds"."captured_amount" is not null) and coalesce("ledger_holds"."captured_amount", 0) between 0 and "ledger_holds"."max")
);
--> statement-breakpoint
CREATE TABLE "ledger_operations" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"fingerprint" text NOT NULL,
	"result" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "ledger_transfers_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"operation_id" text NOT NULL,
	"debit_account_id" text NOT NULL,
	"credit_account_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"phase" text NOT NULL,
	"pending_id" text,
	"code" text NOT NULL,
	"hold_id" text,
	"reference" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_transfers_amount_positive" CHECK ("ledger_transfers"."amount" > 0),
	CONSTRAINT "ledger_transfers_two_accounts" CHECK ("ledger_transfers"."debit_account_id" <> "ledger_transfers"."credit_account_id"),
	CONSTRAINT "ledger_transfers_phase" CHECK ("ledger_transfers"."phase" in ('posted','pending','post_pending','void_pending')),
	CONSTRAINT "ledger_transfers_resolution_names_pending" CHECK (("ledger_transfers"."phase" in ('post_pending','void_pending')) = ("ledger_transfers"."pending_id" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_owner_kind" ON "ledger_accounts" USING btree ("owner_id","kind");--> statement-breakpoint
CREATE INDEX "ledger_holds_pending_expiry" ON "ledger_holds" USING btree ("expires_at") WHERE "ledger_holds"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transfers_resolves_once" ON "ledger_transfers" USING btree ("pending_id") WHERE "ledger_transfers"."pending_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_transfers_debit_seq" ON "ledger_transfers" USING btree ("debit_account_id","seq") WHERE "ledger_transfers"."debit_account_id" not like 'platform:%';--> statement-breakpoint
CREATE INDEX "ledger_transfers_credit_seq" ON "ledger_transfers" USING btree ("credit_account_id","seq") WHERE "ledger_transfers"."credit_account_id" not like 'platform:%';