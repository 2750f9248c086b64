-- Webhooks' transactional outbox: a run event that a buyer may subscribe to writes its deliveries in
-- the transaction that records it, so no status change is ever lost or reported for a rolled-back one.
-- Hand-written (drizzle-kit cannot express functions or triggers); see packages/db/src/webhooks/README.md.

-- A prefixed, time-ordered id of the shape `newId()` makes (10 characters of milliseconds, 16 random ones,
-- Crockford's base 32), for rows written by SQL alone. The randomness comes from gen_random_uuid().
CREATE FUNCTION jeton_new_id(prefix text, at timestamptz) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
  ms bigint := floor(extract(epoch FROM at) * 1000)::bigint;
  bytes bytea := decode(replace(gen_random_uuid()::text, '-', ''), 'hex');
  head text := '';
  tail text := '';
BEGIN
  FOR i IN 1..10 LOOP
    head := substr(alphabet, (ms % 32)::int + 1, 1) || head;
    ms := ms / 32;
  END LOOP;
  FOR i IN 0..15 LOOP
    tail := tail || substr(alphabet, get_byte(bytes, i) % 32 + 1, 1);
  END LOOP;
  RETURN prefix || '_' || head || tail;
END $$;
--> statement-breakpoint

-- One delivery per enabled endpoint of the run's buyer subscribed to the event's type. A buyer without
-- endpoints costs the run's primary key and one probe of webhook_endpoints_user. The run row is read
-- after the statement that wrote the event (an AFTER trigger sees its changes): its settlement is there.
CREATE FUNCTION jeton_webhook_run_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  event_type text := CASE WHEN NEW.type = 'question' THEN 'run.awaiting_input'
                          ELSE 'run.' || (NEW.data->>'status') END;
BEGIN
  INSERT INTO webhook_deliveries (id, endpoint_id, user_id, event_type, payload, status, next_attempt_at, created_at)
  SELECT jeton_new_id('msg', NEW.at), e.id, e.user_id, event_type,
         jsonb_build_object(
           'type', event_type,
           'timestamp', to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', jsonb_build_object('run', jsonb_build_object(
             'id', r.id,
             'object', 'run',
             'agent', jsonb_build_object('id', r.agent_id, 'slug', r.slug, 'version', r.version),
             'status', substr(event_type, 5),
             'quote', r.max_credits,
             'charged', r.charged,
             'refunded', r.refunded,
             'failure', CASE WHEN r.failure_code IS NULL THEN NULL
                             ELSE jsonb_build_object('code', r.failure_code, 'fault', r.fault, 'message', r.error_message) END,
             'question', CASE WHEN NEW.type = 'question'
                              THEN jsonb_build_object('id', NEW.data->'question'->>'id', 'text', NEW.data->'question'->>'text',
                                                      'deadline', NEW.data->'question'->>'deadline')
                              ELSE NULL END,
             'createdAt', to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'endedAt', to_char(r.ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))),
         'pending', NEW.at, NEW.at
    FROM runs r
    JOIN webhook_endpoints e ON e.user_id = r.buyer_id AND e.enabled AND event_type = ANY (e.event_types)
   WHERE r.id = NEW.run_id;
  IF FOUND THEN
    -- Wakes the dispatchers at commit (several rows in one transaction make one notification).
    PERFORM pg_notify('jeton_webhooks', '');
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint

-- Only the events webhooks report reach the function: progress, logs and the other statuses cost the
-- WHEN test alone.
CREATE TRIGGER run_events_webhooks AFTER INSERT ON run_events FOR EACH ROW
  WHEN (NEW.type = 'question'
        OR (NEW.type = 'status' AND NEW.data->>'status' IN ('succeeded', 'failed', 'cancelled', 'timed_out')))
  EXECUTE FUNCTION jeton_webhook_run_event();
