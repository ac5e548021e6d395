-- The append-only audit trail: one row per state-changing action.
-- Nothing in alurd updates or deletes a row; the trigger below makes the
-- database itself refuse it, whoever asks.
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        uuid,               -- user or machine client; NULL for the system (timer)
    actor_role      text NOT NULL,      -- role at the time, or 'system' / 'anonymous'
    action          text NOT NULL,      -- e.g. 'auth.login_failed', 'request.submit'
    record_type     text NOT NULL,      -- 'user', 'agency', 'request', ...
    record_id       text,
    request_id      uuid,               -- the SOP request (permohonan) concerned, if any
    http_request_id text,               -- X-Request-Id of the HTTP call
    before          jsonb,
    after           jsonb
);
CREATE INDEX audit_log_request_idx ON audit_log (request_id, id) WHERE request_id IS NOT NULL;
CREATE INDEX audit_log_record_idx ON audit_log (record_type, record_id, id);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
