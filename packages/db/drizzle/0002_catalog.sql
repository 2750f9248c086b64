CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "catalog_agents" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"creator_id" text NOT NULL,
	"status" text NOT NULL,
	"suspended_from" text,
	"current_version_id" text,
	"pending_version_id" text,
	"pending_effective_at" timestamp with time zone,
	"name" text NOT NULL,
	"summary" text NOT NULL,
	"description" text NOT NULL,
	"category" text NOT NULL,
	"tags" text[] NOT NULL,
	"needs_model" boolean NOT NULL,
	"pricing_model" text NOT NULL,
	"max_credits" integer NOT NULL,
	"runs" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"median_duration_ms" integer,
	"median_credits" integer,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"rating" double precision NOT NULL,
	"last_test_status" text,
	"last_test_at" timestamp with time zone,
	"rank_score" double precision DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"first_published_at" timestamp with time zone,
	"last_published_at" timestamp with time zone,
	CONSTRAINT "catalog_agents_slug_unique" UNIQUE("slug"),
	CONSTRAINT "catalog_agents_status" CHECK ("catalog_agents"."status" in ('draft','published','maintenance','deprecated','suspended')),
	CONSTRAINT "catalog_agents_counts" CHECK ("catalog_agents"."runs" >= "catalog_agents"."succeeded" and "catalog_agents"."succeeded" >= 0 and "catalog_agents"."rating_count" >= 0),
	CONSTRAINT "catalog_agents_max_credits" CHECK ("catalog_agents"."max_credits" > 0)
);
--> statement-breakpoint
CREATE TABLE "catalog_creators" (
	"id" text PRIMARY KEY NOT NULL,
	"handle" text NOT NULL,
	"display_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_creators_handle_unique" UNIQUE("handle")
);
--> statement-breakpoint
CREATE TABLE "catalog_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"version_id" text NOT NULL,
	"version" text NOT NULL,
	"author_id" text NOT NULL,
	"rating" smallint NOT NULL,
	"body" text NOT NULL,
	"reply_body" text,
	"reply_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "catalog_reviews_run_id_unique" UNIQUE("run_id"),
	CONSTRAINT "catalog_reviews_rating" CHECK ("catalog_reviews"."rating" between 1 and 5),
	CONSTRAINT "catalog_reviews_reply" CHECK (("catalog_reviews"."reply_body" is null) = ("catalog_reviews"."reply_at" is null))
);
--> statement-breakpoint
CREATE TABLE "catalog_run_outcomes" (
	"run_id" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"version_id" text NOT NULL,
	"buyer_id" text NOT NULL,
	"status" text NOT NULL,
	"duration_ms" integer NOT NULL,
	"credits_paid" bigint NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	CONSTRAINT "catalog_run_outcomes_status" CHECK ("catalog_run_outcomes"."status" in ('succeeded','failed','timed_out','cancelled')),
	CONSTRAINT "catalog_run_outcomes_amounts" CHECK ("catalog_run_outcomes"."duration_ms" >= 0 and "catalog_run_outcomes"."credits_paid" >= 0)
);
--> statement-breakpoint
CREATE TABLE "catalog_search" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"category" text NOT NULL,
	"needs_model" boolean NOT NULL,
	"max_credits" integer NOT NULL,
	"rating" double precision NOT NULL,
	"runs" integer NOT NULL,
	"rank_score" double precision NOT NULL,
	"first_published_at" timestamp with time zone NOT NULL,
	"name_v" "tsvector" NOT NULL,
	"summary_v" "tsvector" NOT NULL,
	"tags_v" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_search_text" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"all_v" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_search_words" (
	"word" text PRIMARY KEY NOT NULL,
	"agents" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"version" text NOT NULL,
	"status" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"bundle" text,
	"fingerprint" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	"effective_at" timestamp with time zone,
	"test_report" jsonb,
	CONSTRAINT "catalog_versions_status" CHECK ("catalog_versions"."status" in ('draft','published')),
	CONSTRAINT "catalog_versions_published" CHECK (("catalog_versions"."status" = 'published') = ("catalog_versions"."published_at" is not null and "catalog_versions"."effective_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "catalog_versions" ADD CONSTRAINT "catalog_versions_agent_id_catalog_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."catalog_agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_agents_creator" ON "catalog_agents" USING btree ("creator_id");--> statement-breakpoint
CREATE INDEX "catalog_agents_pending" ON "catalog_agents" USING btree ("pending_effective_at") WHERE "catalog_agents"."pending_effective_at" is not null;--> statement-breakpoint
CREATE INDEX "catalog_reviews_agent" ON "catalog_reviews" USING btree ("agent_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "catalog_run_outcomes_recent" ON "catalog_run_outcomes" USING btree ("agent_id","finished_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "catalog_search_name" ON "catalog_search" USING gin (("name_v")) WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "catalog_search_head" ON "catalog_search" USING gin (("name_v" || "summary_v")) WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "catalog_search_tagged" ON "catalog_search" USING gin (("name_v" || "summary_v" || "tags_v")) WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "catalog_search_by_rank" ON "catalog_search" USING btree ("rank_score" DESC NULLS LAST,"agent_id");--> statement-breakpoint
CREATE INDEX "catalog_search_by_category_rank" ON "catalog_search" USING btree ("category","rank_score" DESC NULLS LAST,"agent_id");--> statement-breakpoint
CREATE INDEX "catalog_search_by_runs" ON "catalog_search" USING btree ("runs" DESC NULLS LAST,"agent_id");--> statement-breakpoint
CREATE INDEX "catalog_search_by_rating" ON "catalog_search" USING btree ("rating" DESC NULLS LAST,"agent_id");--> statement-breakpoint
CREATE INDEX "catalog_search_by_newest" ON "catalog_search" USING btree ("first_published_at" DESC NULLS LAST,"agent_id");--> statement-breakpoint
CREATE INDEX "catalog_search_by_price" ON "catalog_search" USING btree ("max_credits","agent_id");--> statement-breakpoint
CREATE INDEX "catalog_search_text_all" ON "catalog_search_text" USING gin ("all_v") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "catalog_search_words_trgm" ON "catalog_search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_versions_agent_version" ON "catalog_versions" USING btree ("agent_id","version");--> statement-breakpoint
CREATE INDEX "catalog_versions_fingerprint" ON "catalog_versions" USING btree ("fingerprint") WHERE "catalog_versions"."status" = 'published';