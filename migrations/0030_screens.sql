-- What screens need from the records, served in one query each: the
-- position (jabatan) people are picked by, the indexes of the queue, the
-- enriched request list, the text search (agenda number, letter number and
-- e-office reference too) and the global audit trail; and each Berita Acara's
-- signed PDF, stored once as a document.
ALTER TABLE users ADD COLUMN position text CHECK (length(position) BETWEEN 1 AND 200);

-- the open step of a request (at most one), read by every enriched list row
CREATE INDEX step_instances_open_request_idx ON step_instances (request_id, step)
    INCLUDE (warn_at, due_at, paused_since, policy_version) WHERE completed_at IS NULL;
-- the queue's first items of a state, earliest deadline first, without
-- reading every request of the state (the timer keeps its own smaller
-- partial indexes, which match its predicates exactly)
CREATE INDEX step_instances_open_due_order_idx ON step_instances (due_at, request_id) WHERE completed_at IS NULL;
-- the queue and the waiting_on filter select by state
CREATE INDEX requests_state_idx ON requests (state, created_at DESC, id DESC);
-- (updated_since reads requests_updated_idx, made by 0020)

CREATE INDEX requests_search_idx ON requests USING gin
    ((title || ' ' || coalesce(letter_number, '') || ' ' || coalesce(agenda_number, '') || ' '
      || coalesce(eoffice_ref, '')) gin_trgm_ops);
DROP INDEX requests_text_idx;

CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);

CREATE INDEX berita_acara_awaiting_idx ON berita_acara (status) WHERE status = 'awaiting_signatures';
CREATE INDEX surat_tugas_members_idx ON surat_tugas USING gin (member_ids);

-- The PDF of a fully signed Berita Acara, rendered once and stored as its
-- document (documents are immutable): at most one per Berita Acara.
ALTER TABLE documents ADD COLUMN berita_acara_id uuid REFERENCES berita_acara (id);
CREATE UNIQUE INDEX documents_berita_acara_key ON documents (berita_acara_id) WHERE berita_acara_id IS NOT NULL;

-- The open step of a request (at most one is open) with its SLA state,
-- classified as core/sla.c's sla_classify does for an open step: breached
-- once past due (measured at the pause when paused), else paused, else
-- warning from warn_at; a step without deadlines (step 1) is on time.
CREATE VIEW open_steps AS
    SELECT s.request_id, s.step, s.warn_at, s.due_at, s.policy_version,
           CASE WHEN s.due_at IS NULL THEN 'on_time'
                WHEN coalesce(s.paused_since, now()) > s.due_at THEN 'breached'
                WHEN s.paused_since IS NOT NULL THEN 'paused'
                WHEN now() >= s.warn_at THEN 'warning'
                ELSE 'on_time' END AS sla_state
      FROM step_instances s WHERE s.completed_at IS NULL;

-- A request as a queue shows it: what it is, whose it is, its deadline.
CREATE VIEW request_cards AS
    SELECT r.id, r.state, r.agency_id, r.created_at, o.due_at, o.sla_state,
           json_build_object('request_id', r.id, 'title', r.title, 'kind', r.kind, 'agency_id', r.agency_id,
                             'agency_name', g.name, 'status', r.status, 'phase', r.phase,
                             'current_step', r.current_step, 'agenda_number', r.agenda_number,
                             'due_at', to_char(o.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                             'warn_at', to_char(o.warn_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                             'sla_state', o.sla_state) AS card
      FROM requests r JOIN agencies g ON g.id = r.agency_id
      LEFT JOIN LATERAL (SELECT * FROM open_steps x WHERE x.request_id = r.id ORDER BY x.step DESC LIMIT 1) o
        ON true;
