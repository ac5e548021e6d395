-- Webhooks: subscriptions to the outbox (migrations/0020) and one delivery
-- row per (subscription, event) to push.
--
-- A delivery row is created by a trigger in the transaction that writes the
-- event, so a committed event always has its deliveries and a rolled-back
-- one has none. Deliverers (any number of instances) claim due rows with
-- FOR UPDATE SKIP LOCKED and hold a lease while the HTTP call runs; a lease
-- that expires (the instance died) makes the row due again, with the same
-- event id as webhook-id. Secrets are stored sealed (libsodium secretbox
-- under ALURD_SECRET_KEY: nonce || box), never in clear.
CREATE TABLE webhooks (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_client_id   uuid REFERENCES clients (id),   -- a machine client managing its own; NULL: an admin's
    url               text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    event_types       text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 64),
    agency_id         uuid REFERENCES agencies (id),  -- only this agency's events; NULL: all
    enabled           boolean NOT NULL DEFAULT true,
    disabled_reason   text,
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    secret_box        bytea NOT NULL,
    old_secret_box    bytea,          -- the previous secret, still signing until old_secret_until
    old_secret_until  timestamptz,
    failing_since     timestamptz,    -- start of the current run of failed attempts
    version           integer NOT NULL DEFAULT 1,
    created_by        uuid NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_enabled_idx ON webhooks (id) WHERE enabled;

CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL,  -- events.id; the body is rebuilt from it at each attempt
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,      -- while delivering
    last_status      integer,          -- HTTP status of the last attempt (NULL: no answer)
    last_error       text,
    last_latency_ms  integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
-- What the deliverers claim: due rows only.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);

-- Fan-out: each new event becomes a delivery for every enabled subscription
-- that wants its type (or '*', or 'record.*') and its agency.
CREATE FUNCTION events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (webhook_id, event_id)
    SELECT w.id, NEW.id FROM webhooks w
     WHERE w.enabled AND (w.agency_id IS NULL OR w.agency_id = NEW.agency_id)
       AND ('*' = ANY (w.event_types) OR NEW.type = ANY (w.event_types)
            OR split_part(NEW.type, '.', 1) || '.*' = ANY (w.event_types));
    RETURN NULL;
END $$;
CREATE TRIGGER events_fan_out AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_fan_out();
