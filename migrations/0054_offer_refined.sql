-- What a request's state alone does not say about the actions it offers a
-- caller (the list, the queue and the single read all ask this one
-- function; core/ supplies the actions and the document types). acts: the
-- JSON array of action keys the state and the caller's role offer; types:
-- the document types a submission needs; who: the caller's id.
--   - a draft offers `submit` only with every document it needs;
--   - a disposed request offers `derive` only to a recipient of one of its
--     dispositions that is not withdrawn (the Kabid it was disposed to).
CREATE FUNCTION offer_refined(acts jsonb, request uuid, state text, types text[], who uuid)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT acts
        - CASE WHEN state = 'draft' AND EXISTS (
                   SELECT 1 FROM unnest(types) t(type)
                    WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.request_id = request AND d.type = t.type))
               THEN 'submit' ELSE '' END
        - CASE WHEN state = 'disposed' AND NOT EXISTS (
                   SELECT 1 FROM dispositions d JOIN disposition_recipients x ON x.disposition_id = d.id
                    WHERE d.request_id = request AND x.user_id = who AND d.withdrawn_at IS NULL)
               THEN 'derive' ELSE '' END
$$;
