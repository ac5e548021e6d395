-- Events that are not about one request (a webhook subscription disabled by
-- the deliverer, and later records of the same kind): no request_id, and an
-- agency only when the record belongs to one. `source` and `subject` are the
-- CloudEvents attributes of such an event (the collection and the record's
-- id); a request's events keep '/api/v1/requests' and their request id.
ALTER TABLE events
    ALTER COLUMN request_id DROP NOT NULL,
    ALTER COLUMN agency_id DROP NOT NULL,
    ADD COLUMN source text NOT NULL DEFAULT '/api/v1/requests',
    ADD COLUMN subject text,
    ADD CONSTRAINT events_about_something CHECK (request_id IS NOT NULL OR subject IS NOT NULL);
