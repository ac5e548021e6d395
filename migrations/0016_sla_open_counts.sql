-- The open-steps gauge (/metrics alurd_sla_open_steps), kept incrementally so
-- a scrape reads a few dozen rows however many steps are open.
--
-- Each open step instance is in one class, from its flags: 2 breached
-- (breached_at set), 3 paused (paused_since set, not breached), 1 warning
-- (warned_at set), 0 on time; a completed one in none. Statement-level
-- triggers add the difference each statement makes to a counter row of the
-- backend that ran it (shard = its pid), so concurrent transactions never
-- wait on, or deadlock over, each other's counters; the timer folds the rows
-- of backends that are gone into shard 0. The scrape adds the steps that
-- crossed a threshold the timer has not flagged yet (read from the timer's
-- own partial indexes), so the gauge is exact at scrape time.
CREATE TABLE sla_open_counts (
    step   integer NOT NULL,
    state  integer NOT NULL,
    shard  integer NOT NULL,
    n      bigint  NOT NULL,
    PRIMARY KEY (step, state, shard)
);

CREATE FUNCTION sla_open_class(completed_at timestamptz, breached_at timestamptz, paused_since timestamptz,
                               warned_at timestamptz) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN completed_at IS NOT NULL THEN NULL
                WHEN breached_at IS NOT NULL THEN 2
                WHEN paused_since IS NOT NULL THEN 3
                WHEN warned_at IS NOT NULL THEN 1
                ELSE 0 END
$$;

CREATE FUNCTION sla_open_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO sla_open_counts AS c (step, state, shard, n)
        SELECT step, cls, pg_backend_pid(), sum(d) FROM (
            SELECT step, sla_open_class(completed_at, breached_at, paused_since, warned_at) AS cls, 1 AS d
              FROM new_rows) x
        WHERE cls IS NOT NULL GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
        ON CONFLICT (step, state, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO sla_open_counts AS c (step, state, shard, n)
        SELECT step, cls, pg_backend_pid(), sum(d) FROM (
            SELECT step, sla_open_class(completed_at, breached_at, paused_since, warned_at) AS cls, 1 AS d
              FROM new_rows
            UNION ALL
            SELECT step, sla_open_class(completed_at, breached_at, paused_since, warned_at), -1
              FROM old_rows) x
        WHERE cls IS NOT NULL GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
        ON CONFLICT (step, state, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE
        INSERT INTO sla_open_counts AS c (step, state, shard, n)
        SELECT step, cls, pg_backend_pid(), -count(*) FROM (
            SELECT step, sla_open_class(completed_at, breached_at, paused_since, warned_at) AS cls
              FROM old_rows) x
        WHERE cls IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (step, state, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER step_instances_count_insert AFTER INSERT ON step_instances
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sla_open_counts_apply();
CREATE TRIGGER step_instances_count_update AFTER UPDATE ON step_instances
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sla_open_counts_apply();
CREATE TRIGGER step_instances_count_delete AFTER DELETE ON step_instances
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sla_open_counts_apply();

-- What is open now.
INSERT INTO sla_open_counts (step, state, shard, n)
SELECT step, cls, 0, count(*) FROM (
    SELECT step, sla_open_class(completed_at, breached_at, paused_since, warned_at) AS cls FROM step_instances) x
WHERE cls IS NOT NULL GROUP BY 1, 2;
