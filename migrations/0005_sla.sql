-- The SLA engine: versioned mutu-baku policy, holidays, pauses, the state
-- history used for delay attribution, and the events the timer emits.
CREATE TABLE sla_policies (
    version      integer NOT NULL,
    step         integer NOT NULL CHECK (step BETWEEN 2 AND 7),
    warn_after   text NOT NULL,
    due_after    text NOT NULL,
    clock        text NOT NULL CHECK (clock IN ('working_time', 'working_days', 'calendar')),
    pause_on_pd  boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   uuid,
    PRIMARY KEY (version, step)
);
-- The SOP's mutu baku (version 1).
INSERT INTO sla_policies (version, step, warn_after, due_after, clock, pause_on_pd) VALUES
    (1, 2, 'PT1H',  'PT2H', 'working_time', true),
    (1, 3, 'PT45M', 'PT1H', 'working_time', true),
    (1, 4, 'P5D',   'P7D',  'working_days', true),
    (1, 5, 'P5D',   'P7D',  'working_days', true),
    (1, 6, 'P5D',   'P7D',  'working_days', true),
    (1, 7, 'P5D',   'P7D',  'working_days', true);

CREATE TABLE holidays (
    date        date PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL DEFAULT 'national'
                  CHECK (kind IN ('national', 'collective_leave', 'regional')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid
);

ALTER TABLE step_instances
    ADD COLUMN policy_version integer,
    ADD COLUMN paused_since timestamptz;

CREATE TABLE step_pauses (
    step_instance_id  uuid NOT NULL REFERENCES step_instances (id) ON DELETE CASCADE,
    started_at        timestamptz NOT NULL,
    ended_at          timestamptz,
    PRIMARY KEY (step_instance_id, started_at)
);

-- Which state a request was in, from when to when: whose desk it waited on.
CREATE TABLE state_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES requests (id),
    state       text NOT NULL,
    entered_at  timestamptz NOT NULL,
    left_at     timestamptz
);
CREATE INDEX state_history_request_idx ON state_history (request_id, entered_at);
-- Requests that existed before this migration start their history now.
INSERT INTO state_history (request_id, state, entered_at)
    SELECT id, state, updated_at FROM requests;

-- What the timer flagged, for the notifications to come.
CREATE TABLE sla_events (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('warning', 'breach')),
    step_instance_id  uuid NOT NULL,
    request_id        uuid NOT NULL,
    step              integer NOT NULL,
    threshold         timestamptz NOT NULL,
    flagged_at        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz
);
CREATE INDEX sla_events_undelivered_idx ON sla_events (id) WHERE delivered_at IS NULL;

-- The timer's scans: only rows that still wait for their flag are in these
-- indexes, so a scan reads the rows that newly crossed a threshold and no more.
CREATE INDEX step_instances_warn_idx ON step_instances (warn_at)
    WHERE completed_at IS NULL AND paused_since IS NULL AND warned_at IS NULL;
CREATE INDEX step_instances_due_idx ON step_instances (due_at)
    WHERE completed_at IS NULL AND paused_since IS NULL AND breached_at IS NULL;
-- The overdue list: open steps by due time.
CREATE INDEX step_instances_open_due_idx ON step_instances (due_at, id) WHERE completed_at IS NULL;
-- Summaries by period.
CREATE INDEX step_instances_started_idx ON step_instances (started_at);
