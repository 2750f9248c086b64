CREATE TABLE "run_artifacts" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"media_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_attempts" (
	"run_id" text NOT NULL,
	"number" integer NOT NULL,
	"worker_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"heartbeat_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"outcome" text,
	"error_message" text,
	CONSTRAINT "run_attempts_run_id_number_pk" PRIMARY KEY("run_id","number")
);
--> statement-breakpoint
CREATE TABLE "run_events" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "run_events_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "run_files" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"media_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"buyer_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"version_id" text NOT NULL,
	"slug" text NOT NULL,
	"version" text NOT NULL,
	"creator_id" text NOT NULL,
	"status" text NOT NULL,
	"input" jsonb NOT NULL,
	"pricing" jsonb NOT NULL,
	"max_credits" bigint NOT NULL,
	"hold_id" text NOT NULL,
	"idempotency_key" text,
	"request_hash" text NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"retry_safe" boolean NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"blocked_on" text,
	"usage" jsonb NOT NULL,
	"question" jsonb,
	"question_deadline" timestamp with time zone,
	"deadline_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"failure_code" text,
	"fault" text,
	"error_message" text,
	"charged" bigint,
	"refunded" bigint,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	CONSTRAINT "runs_status" CHECK ("runs"."status" in ('queued','running','awaiting_input','succeeded','failed','cancelled','timed_out')),
	CONSTRAINT "runs_final_has_end" CHECK (("runs"."status" in ('queued','running','awaiting_input')) = ("runs"."ended_at" is null)),
	CONSTRAINT "runs_settled_once" CHECK (("runs"."ended_at" is null) = ("runs"."charged" is null) and ("runs"."charged" is null) = ("runs"."refunded" is null)),
	CONSTRAINT "runs_settlement_within_quote" CHECK (coalesce("runs"."charged" + "runs"."refunded", "runs"."max_credits") = "runs"."max_credits"),
	CONSTRAINT "runs_max_positive" CHECK ("runs"."max_credits" > 0)
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "run_artifacts_run_name" ON "run_artifacts" USING btree ("run_id","name");--> statement-breakpoint
CREATE INDEX "run_attempts_open_heartbeat" ON "run_attempts" USING btree ("heartbeat_at") WHERE "run_attempts"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "run_attempts_open_worker" ON "run_attempts" USING btree ("worker_id") WHERE "run_attempts"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "run_files_owner" ON "run_files" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_idempotency" ON "runs" USING btree ("buyer_id","idempotency_key") WHERE "runs"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "runs_buyer_created" ON "runs" USING btree ("buyer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_active_buyer" ON "runs" USING btree ("buyer_id") WHERE "runs"."status" in ('running','awaiting_input');--> statement-breakpoint
CREATE INDEX "runs_active_agent" ON "runs" USING btree ("agent_id") WHERE "runs"."status" in ('running','awaiting_input');--> statement-breakpoint
CREATE INDEX "runs_blocked" ON "runs" USING btree ("created_at") WHERE "runs"."blocked_on" is not null;--> statement-breakpoint
CREATE INDEX "runs_open_expiry" ON "runs" USING btree ("expires_at") WHERE "runs"."status" in ('queued','running','awaiting_input');--> statement-breakpoint
CREATE INDEX "runs_running_deadline" ON "runs" USING btree ("deadline_at") WHERE "runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "runs_question_deadline" ON "runs" USING btree ("question_deadline") WHERE "runs"."status" = 'awaiting_input';--> statement-breakpoint
CREATE INDEX "api_keys_user" ON "api_keys" USING btree ("user_id") WHERE "api_keys"."revoked_at" is null;