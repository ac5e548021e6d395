-- Agencies (perangkat daerah), accounts, machine clients, refresh tokens and
-- the login throttle.
CREATE TABLE agencies (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    head_name   text CHECK (length(head_name) <= 200),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agencies_code_key ON agencies (lower(code));

CREATE TABLE users (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username             text NOT NULL CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    full_name            text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    nip                  text CHECK (nip ~ '^[0-9]{18}$'),
    role                 text NOT NULL CHECK (role IN ('admin', 'kepala_dinas', 'sekretariat', 'kabid_iai',
                                                       'kasi_ai', 'tim_spbe', 'pd', 'auditor')),
    agency_id            uuid REFERENCES agencies (id),
    is_signatory         boolean NOT NULL DEFAULT false,
    active               boolean NOT NULL DEFAULT true,
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    -- access tokens issued before this instant are refused (deactivation, reset)
    tokens_valid_after   timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pd_has_agency CHECK ((role = 'pd') = (agency_id IS NOT NULL)),
    CONSTRAINT users_signatory_is_pd CHECK (NOT is_signatory OR role = 'pd')
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_agency_idx ON users (agency_id) WHERE agency_id IS NOT NULL;

CREATE TABLE clients (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id     text NOT NULL UNIQUE,
    secret_hash   text NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    agency_id     uuid REFERENCES agencies (id),  -- NULL: may act for every agency
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

-- Refresh tokens: only the SHA-256 of the random token is stored. A family
-- is one login; presenting a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Failed-login counters, shared by every instance. key is 'user:<name>' or
-- 'addr:<ip>'; blocked_until grows with the failures and always ends.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    last_failure  timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
);
