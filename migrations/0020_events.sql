-- The outbox: one row per change of the procedure, written in the same
-- transaction as the change it describes (a rolled-back change leaves no
-- event, a committed one always has its event). The timer's warnings and
-- breaches are events of this table too; sla_events is folded into it.
--
-- Feed order. `id` is assigned when a row is inserted, not when its
-- transaction commits, so a reader paging by id alone could pass an id whose
-- transaction commits later. Each row therefore records the transaction that
-- wrote it (`xid`, a 64-bit xid8 that never wraps), and the feed pages by
-- (xid, id), showing only rows whose transaction is older than the oldest
-- transaction still running (the reader's snapshot xmin): every such
-- transaction has finished, so nothing can later appear behind the cursor.
CREATE TABLE events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,  -- CloudEvents id, webhook-id
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    type        text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    request_id  uuid NOT NULL,
    agency_id   uuid NOT NULL,
    time        timestamptz NOT NULL DEFAULT now(),
    data        jsonb NOT NULL
);
CREATE INDEX events_feed_idx ON events (xid, id);
CREATE INDEX events_agency_idx ON events (agency_id, xid, id);
CREATE INDEX events_request_idx ON events (request_id, xid, id);
-- Retention pruning deletes the oldest rows first.
CREATE INDEX events_time_idx ON events (time);

-- What the timer flagged so far becomes events of the same shape it writes now.
INSERT INTO events (type, request_id, agency_id, time, data)
SELECT 'sla.' || e.kind, e.request_id, r.agency_id, e.flagged_at,
       jsonb_build_object('request_id', r.id, 'agency_id', r.agency_id, 'eoffice_ref', r.eoffice_ref,
                          'status', r.status, 'phase', r.phase, 'step', e.step, 'version', r.version,
                          'actor', jsonb_build_object('id', NULL, 'role', 'system'),
                          'step_instance_id', e.step_instance_id,
                          CASE e.kind WHEN 'warning' THEN 'warn_at' ELSE 'due_at' END, e.threshold)
  FROM sla_events e JOIN requests r ON r.id = e.request_id
 ORDER BY e.id;
DROP TABLE sla_events;

-- The list filter updated_since reads this.
CREATE INDEX requests_updated_idx ON requests (updated_at, id);
