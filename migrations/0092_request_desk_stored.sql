-- Whose desk a request is on, stored on the request (it was computed per row
-- by 0090's agreed_desk at every read: a queue or a desk filter called it
-- for every agreed request, 8 333 calls and ~60 ms per call of GET /me/queue
-- on 100 000 requests). The value is the key of 0090 (the state, or in
-- agreed 'agreed:' and the Berita Acara's progress) and only triggers write
-- it: the request's own trigger whenever its state is set (or desk is
-- named in an UPDATE, so the value can never be set by hand), and the
-- Berita Acara's triggers when it is made, sent or signed. Reads use the
-- column and its index (DB_REQUEST_DESK in db/requests.h).
ALTER TABLE requests ADD COLUMN desk text;

CREATE FUNCTION requests_desk_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.desk := CASE WHEN NEW.state = 'agreed' THEN agreed_desk(NEW.id) ELSE NEW.state END;
    RETURN NEW;
END $$;

CREATE TRIGGER requests_desk BEFORE INSERT OR UPDATE OF state, desk ON requests
    FOR EACH ROW EXECUTE FUNCTION requests_desk_set();

-- The request of a Berita Acara that was made, sent or signed: its desk is
-- set again (requests_desk computes it) while the request is agreed.
CREATE FUNCTION berita_acara_desk_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'berita_acara' THEN
        UPDATE requests SET desk = NULL WHERE id = NEW.request_id AND state = 'agreed';
    ELSE
        UPDATE requests SET desk = NULL
         WHERE id = (SELECT b.request_id FROM berita_acara b WHERE b.id = NEW.berita_acara_id) AND state = 'agreed';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER berita_acara_desk AFTER INSERT OR UPDATE OF sent_at ON berita_acara
    FOR EACH ROW EXECUTE FUNCTION berita_acara_desk_refresh();
CREATE TRIGGER berita_acara_signatures_desk AFTER INSERT ON berita_acara_signatures
    FOR EACH ROW EXECUTE FUNCTION berita_acara_desk_refresh();

UPDATE requests SET desk = NULL;
ALTER TABLE requests ALTER COLUMN desk SET NOT NULL;

-- The desk filters (waiting_on=, GET /me/queue's counts and groups).
CREATE INDEX requests_desk_idx ON requests (desk, created_at DESC, id DESC);
