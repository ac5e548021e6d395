-- Webhook claims read the due deliveries in claim order and count the
-- attempts in flight per subscription: an index for each, so a claim reads
-- the due index from its start and stops at the first row it may take
-- (with the earlier index on next_attempt_at alone the planner sorted every
-- due row and counted each one's endpoint, quadratic in the backlog).
-- Finished deliveries are pruned with the events after ALURD_EVENT_RETENTION
-- days (server/timer.c), oldest id first.
DROP INDEX webhook_deliveries_due_idx;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id)
    WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_in_flight_idx ON webhook_deliveries (webhook_id)
    WHERE status = 'delivering';
