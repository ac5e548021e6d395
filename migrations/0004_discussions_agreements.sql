-- Steps 4-7: discussion records, the PD completion rounds, the Berita Acara
-- with its signatures, and the Surat Tugas.
CREATE TABLE discussions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id          uuid NOT NULL REFERENCES requests (id),
    phase               text NOT NULL CHECK (phase IN ('awal', 'lanjutan', 'final')),
    round               integer NOT NULL DEFAULT 1,     -- awal: 1 + completion rounds before it
    held_at             timestamptz NOT NULL,
    place               text CHECK (length(place) <= 300),
    online_link         text CHECK (length(online_link) <= 500),
    attendees           jsonb NOT NULL,
    minutes             text NOT NULL DEFAULT '' CHECK (length(minutes) <= 20000),
    decisions           text NOT NULL DEFAULT '' CHECK (length(decisions) <= 10000),
    checklist           jsonb,                           -- awal only
    follow_ups          jsonb NOT NULL DEFAULT '[]',
    output_document_id  uuid REFERENCES documents (id),
    scope               jsonb,                           -- final only
    milestones          jsonb,                           -- final only
    version             integer NOT NULL DEFAULT 1,
    created_by          uuid NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (request_id, phase, round)
);

-- The PD's answer to an incomplete initial discussion; every round is kept.
CREATE TABLE completions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id     uuid NOT NULL REFERENCES requests (id),
    discussion_id  uuid NOT NULL REFERENCES discussions (id),
    notes          jsonb NOT NULL,
    document_ids   uuid[] NOT NULL DEFAULT '{}',
    submitted_by   uuid NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX completions_request_idx ON completions (request_id, created_at);

CREATE TABLE berita_acara (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id         uuid NOT NULL UNIQUE REFERENCES requests (id),
    number             text NOT NULL UNIQUE,
    date               date NOT NULL,
    parties            jsonb NOT NULL,
    scope              jsonb NOT NULL,
    milestones         jsonb NOT NULL,
    status             text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'awaiting_signatures', 'signed')),
    content_canonical  text,       -- frozen when sent for signature
    content_sha256     text,
    version            integer NOT NULL DEFAULT 1,
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    sent_at            timestamptz,
    signed_at          timestamptz
);

CREATE TABLE berita_acara_signatures (
    berita_acara_id  uuid NOT NULL REFERENCES berita_acara (id),
    party            text NOT NULL CHECK (party IN ('kominfos', 'perangkat_daerah')),
    signer_id        uuid NOT NULL REFERENCES users (id),
    signed_at        timestamptz NOT NULL DEFAULT now(),
    content_sha256   text NOT NULL,
    PRIMARY KEY (berita_acara_id, party)
);

-- Frozen content cannot change, a signed Berita Acara cannot change at all,
-- and signatures are never altered or removed.
CREATE FUNCTION berita_acara_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.status = 'signed' THEN
        RAISE EXCEPTION 'a signed berita acara is immutable' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'awaiting_signatures' AND (NEW.scope, NEW.milestones, NEW.date, NEW.number, NEW.parties,
            NEW.content_canonical) IS DISTINCT FROM (OLD.scope, OLD.milestones, OLD.date, OLD.number,
            OLD.parties, OLD.content_canonical) THEN
        RAISE EXCEPTION 'the content was frozen for signature' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER berita_acara_guard BEFORE UPDATE OR DELETE ON berita_acara
    FOR EACH ROW EXECUTE FUNCTION berita_acara_guard();
CREATE TRIGGER berita_acara_signatures_immutable BEFORE UPDATE OR DELETE ON berita_acara_signatures
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE surat_tugas (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id  uuid NOT NULL REFERENCES requests (id),
    number      text NOT NULL UNIQUE,
    date        date NOT NULL,
    issued_by   uuid NOT NULL REFERENCES users (id),
    purpose     text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
    member_ids  uuid[] NOT NULL CHECK (cardinality(member_ids) BETWEEN 1 AND 50),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX surat_tugas_request_idx ON surat_tugas (request_id);
CREATE TRIGGER surat_tugas_immutable BEFORE UPDATE OR DELETE ON surat_tugas
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
