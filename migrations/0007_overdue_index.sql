-- The overdue list reads open steps the timer has flagged as breached; its
-- index holds only those, so it is disjoint from the timer's breach index
-- (flag still empty) and the planner can never pick it for the timer's scan,
-- whose cost must stay with the rows that newly cross due_at.
DROP INDEX step_instances_open_due_idx;
CREATE INDEX step_instances_breached_idx ON step_instances (due_at, id)
    WHERE completed_at IS NULL AND breached_at IS NOT NULL;
