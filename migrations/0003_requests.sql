-- Steps 1-3: requests (permohonan), their step instances, documents,
-- dispositions, yearly number sequences and idempotency keys.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Gap-free yearly counters (agenda numbers, Berita Acara, Surat Tugas): the
-- row lock taken by the increment serialises concurrent numbering, and a
-- rolled-back transaction takes its increment with it.
CREATE TABLE number_sequences (
    name  text    NOT NULL,
    year  integer NOT NULL,
    last  integer NOT NULL,
    PRIMARY KEY (name, year)
);

CREATE TABLE requests (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind              text NOT NULL CHECK (kind IN ('pembangunan', 'pengembangan', 'integrasi')),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    channel           text NOT NULL CHECK (channel IN ('tertulis', 'e_office')),
    letter_number     text CHECK (length(letter_number) <= 100),
    letter_date       date,
    eoffice_ref       text CHECK (length(eoffice_ref) <= 128),
    client_id         uuid REFERENCES clients (id),
    agency_id         uuid NOT NULL REFERENCES agencies (id),
    state             text NOT NULL,
    status            text GENERATED ALWAYS AS
                        (CASE WHEN state LIKE 'in\_discussion\_%' THEN 'in_discussion' ELSE state END) STORED,
    phase             text GENERATED ALWAYS AS
                        (CASE WHEN state LIKE 'in\_discussion\_%' THEN substr(state, 15) END) STORED,
    current_step      integer NOT NULL CHECK (current_step BETWEEN 0 AND 7),
    agenda_number     text UNIQUE,
    closing_reason    text CHECK (length(closing_reason) <= 2000),
    version           integer NOT NULL DEFAULT 1,
    created_by        uuid NOT NULL,          -- a user or a machine client
    updated_by        uuid NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    submitted_at      timestamptz,
    CONSTRAINT requests_eoffice_ref_per_client UNIQUE (client_id, eoffice_ref)
);
-- The list's keyset order is (created_at DESC, id DESC), alone or after one filter.
CREATE INDEX requests_created_idx ON requests (created_at DESC, id DESC);
CREATE INDEX requests_agency_idx ON requests (agency_id, created_at DESC, id DESC);
CREATE INDEX requests_status_idx ON requests (status, created_at DESC, id DESC);
CREATE INDEX requests_step_idx ON requests (current_step, created_at DESC, id DESC);
CREATE INDEX requests_text_idx ON requests USING gin ((title || ' ' || coalesce(letter_number, '')) gin_trgm_ops);

CREATE TABLE step_instances (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id     uuid NOT NULL REFERENCES requests (id),
    step           integer NOT NULL CHECK (step BETWEEN 1 AND 7),
    started_at     timestamptz NOT NULL,
    warn_at        timestamptz,
    due_at         timestamptz,
    completed_at   timestamptz,
    completed_by   uuid,
    closed_reason  text CHECK (closed_reason IN ('completed', 'withdrawn', 'rejected')),
    warned_at      timestamptz,
    breached_at    timestamptz,
    UNIQUE (request_id, step)
);

-- Documents are immutable: a new version is a new row.
CREATE TABLE documents (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id    uuid NOT NULL REFERENCES requests (id),
    type          text NOT NULL CHECK (type IN ('surat_permohonan', 'proses_bisnis', 'dokumen_awal',
                      'laporan_lanjutan', 'dokumen_kesepakatan', 'berita_acara', 'surat_tugas', 'lainnya')),
    filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type  text NOT NULL,
    size          bigint NOT NULL,
    sha256        text NOT NULL,
    content       bytea NOT NULL,
    uploaded_by   uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_request_idx ON documents (request_id, created_at, id);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE dispositions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id        uuid NOT NULL REFERENCES requests (id),
    parent_id         uuid REFERENCES dispositions (id),
    from_user_id      uuid NOT NULL REFERENCES users (id),
    instruction_kind  text NOT NULL CHECK (instruction_kind IN ('tindak_lanjuti', 'untuk_diketahui',
                          'koordinasikan', 'pelajari', 'siapkan_bahan')),
    instruction       text NOT NULL CHECK (length(instruction) <= 2000),
    created_at        timestamptz NOT NULL DEFAULT now(),
    withdrawn_at      timestamptz
);
CREATE INDEX dispositions_request_idx ON dispositions (request_id, created_at);

CREATE TABLE disposition_recipients (
    disposition_id  uuid NOT NULL REFERENCES dispositions (id),
    user_id         uuid NOT NULL REFERENCES users (id),
    read_at         timestamptz,
    PRIMARY KEY (disposition_id, user_id)
);
CREATE INDEX disposition_recipients_user_idx ON disposition_recipients (user_id);

-- Idempotency-Key: the first successful answer to (caller, key), replayed for
-- the same body and refused (422) for another; kept for at least 24 hours.
CREATE TABLE idempotency_keys (
    owner         text NOT NULL,
    key           text NOT NULL,
    fingerprint   text NOT NULL,
    status        integer,
    content_type  text,
    location      text,
    body          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
