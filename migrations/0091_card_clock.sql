-- A queue card names its running step's clock (the policy the step started
-- under) and when its clock paused, so the queue can say the working time
-- left to the deadline on that clock (api/queue.c, core/sla.c's
-- sla_remaining). Same columns as 0030's view; the card gains `clock` and
-- `paused_since`.
CREATE OR REPLACE VIEW request_cards AS
    SELECT r.id, r.state, r.agency_id, r.created_at, o.due_at, o.sla_state,
           json_build_object('request_id', r.id, 'title', r.title, 'kind', r.kind, 'agency_id', r.agency_id,
                             'agency_name', g.name, 'status', r.status, 'phase', r.phase,
                             'current_step', r.current_step, 'agenda_number', r.agenda_number,
                             'due_at', to_char(o.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                             'warn_at', to_char(o.warn_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                             'sla_state', o.sla_state,
                             'clock', (SELECT p.clock FROM sla_policies p
                                        WHERE p.version = o.policy_version AND p.step = o.step),
                             'paused_since', (SELECT to_char(s.paused_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                                                FROM step_instances s
                                               WHERE s.request_id = r.id AND s.step = o.step AND s.completed_at IS NULL)) AS card
      FROM requests r JOIN agencies g ON g.id = r.agency_id
      LEFT JOIN LATERAL (SELECT * FROM open_steps x WHERE x.request_id = r.id ORDER BY x.step DESC LIMIT 1) o
        ON true;
