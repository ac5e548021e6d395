-- A holiday change recomputes the deadlines of every open step; that work is
-- a queued job, not part of the HTTP request: the request that changed the
-- holidays inserts a row here (in its own transaction) and answers; an
-- instance's timer thread, woken by the NOTIFY below, takes the job with
-- FOR UPDATE SKIP LOCKED and walks the open steps by id in bounded batches,
-- one transaction each, recording where it stopped (after_id) and how far it
-- got, so the progress is visible (GET /api/v1/calendar/recomputes) and a
-- crash or failover resumes at the last committed batch.
CREATE TABLE calendar_recomputes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cause            text NOT NULL CHECK (cause IN ('holidays_put', 'holiday_delete')),
    requested_by     uuid,
    requested_role   text NOT NULL,
    http_request_id  text,
    requested_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    state            text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
    after_id         uuid,
    steps_seen       integer NOT NULL DEFAULT 0,
    steps_moved      integer NOT NULL DEFAULT 0,
    started_at       timestamptz,
    finished_at      timestamptz
);
CREATE INDEX calendar_recomputes_pending_idx ON calendar_recomputes (requested_at, id) WHERE state <> 'done';
CREATE INDEX calendar_recomputes_recent_idx ON calendar_recomputes (requested_at DESC, id);

CREATE TRIGGER calendar_recomputes_notify
    AFTER INSERT ON calendar_recomputes
    FOR EACH STATEMENT EXECUTE FUNCTION alurd_notify_change('recompute');

-- The batches walk open steps by id.
CREATE INDEX step_instances_open_id_idx ON step_instances (id) WHERE completed_at IS NULL;
