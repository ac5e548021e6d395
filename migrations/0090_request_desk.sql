-- Whose desk a request is on, as a key of core/'s waiting rule: the state,
-- except in `agreed`, where the Berita Acara's progress decides
-- (wf_agreed_waiting): 'agreed:' and three digits, 1 or 0 — sent for
-- signature, signed for the Kominfo side (the Kepala Dinas), signed for the
-- PD's side. core/workflow.c maps a key to parties, so SQL holds no copy of
-- who waits. The SQL of db/ writes the key as DB_REQUEST_DESK (db/requests.h),
-- which asks agreed_desk for agreed requests only (a function call costs
-- more than the rest of a list row).
CREATE FUNCTION agreed_desk(request uuid)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT 'agreed:' || coalesce((
        SELECT (b.sent_at IS NOT NULL)::int::text
            || (EXISTS (SELECT 1 FROM berita_acara_signatures g
                         WHERE g.berita_acara_id = b.id AND g.party = 'kominfos'))::int::text
            || (EXISTS (SELECT 1 FROM berita_acara_signatures g
                         WHERE g.berita_acara_id = b.id AND g.party = 'perangkat_daerah'))::int::text
          FROM berita_acara b WHERE b.request_id = request), '000')
$$;

-- The states of a list of desks ('{submitted,agreed:100}' -> '{submitted,agreed}'):
-- a filter by desk selects by state first (an index), then by desk.
CREATE FUNCTION desk_states(desks text[])
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(DISTINCT split_part(d, ':', 1)) FROM unnest(desks) d
$$;
