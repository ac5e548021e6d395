-- Acting officials: a Plh (Pelaksana Harian, an absence) or Plt (Pelaksana
-- Tugas, a vacant post) appointed by a letter to take some acts of a position
-- for a period. A delegation is never edited: a change is a revocation plus a
-- new one, so the only update allowed is the revocation itself (once).
-- Positions are not a table: a person holds one through their account (role,
-- and for a Kepala PD the agency and is_signatory; core/delegation.c).
CREATE TABLE delegations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind           text NOT NULL CHECK (kind IN ('plh', 'plt')),
    position       text NOT NULL CHECK (position IN ('kepala_dinas', 'kabid_iai', 'kasi_ai', 'kasubbag_tu',
                                                     'kepala_pd')),
    agency_id      uuid REFERENCES agencies (id),          -- the Kepala PD's agency
    principal_id   uuid REFERENCES users (id),             -- the holder away; NULL: a vacant post
    delegate_id    uuid NOT NULL REFERENCES users (id),
    acts           text[] NOT NULL CHECK (cardinality(acts) BETWEEN 1 AND 5
                       AND acts <@ ARRAY['dispose', 'derive', 'sign_ba', 'issue_st', 'register']),
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,                          -- inclusive
    letter_number  text NOT NULL CHECK (length(letter_number) BETWEEN 1 AND 200),
    letter_date    date NOT NULL,
    document_name  text CHECK (length(document_name) BETWEEN 1 AND 255),
    document_sha256 text,
    document       bytea,                                  -- the appointing letter (PDF), optional
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_by     uuid REFERENCES users (id),
    revoke_reason  text CHECK (length(revoke_reason) <= 500),
    CONSTRAINT delegations_period CHECK (ends_on >= starts_on),
    CONSTRAINT delegations_agency CHECK ((position = 'kepala_pd') = (agency_id IS NOT NULL)),
    CONSTRAINT delegations_not_self CHECK (principal_id IS DISTINCT FROM delegate_id),
    CONSTRAINT delegations_revocation CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX delegations_delegate_idx ON delegations (delegate_id, ends_on) WHERE revoked_at IS NULL;
CREATE INDEX delegations_position_idx ON delegations (position, ends_on) WHERE revoked_at IS NULL;

CREATE FUNCTION delegations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.revoked_at IS NOT NULL
       OR (NEW.kind, NEW.position, NEW.agency_id, NEW.principal_id, NEW.delegate_id, NEW.acts, NEW.starts_on,
           NEW.ends_on, NEW.letter_number, NEW.letter_date, NEW.document, NEW.created_by, NEW.created_at)
          IS DISTINCT FROM
          (OLD.kind, OLD.position, OLD.agency_id, OLD.principal_id, OLD.delegate_id, OLD.acts, OLD.starts_on,
           OLD.ends_on, OLD.letter_number, OLD.letter_date, OLD.document, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a delegation is never edited, only revoked once' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER delegations_guard BEFORE UPDATE OR DELETE ON delegations
    FOR EACH ROW EXECUTE FUNCTION delegations_guard();

-- Acts taken under a delegation say so on their record.
ALTER TABLE dispositions ADD COLUMN delegation_id uuid REFERENCES delegations (id);
ALTER TABLE berita_acara_signatures ADD COLUMN delegation_id uuid REFERENCES delegations (id);
ALTER TABLE surat_tugas ADD COLUMN delegation_id uuid REFERENCES delegations (id);
