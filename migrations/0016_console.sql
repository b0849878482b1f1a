-- The web console: people who sign in with a password, and their sessions.
-- Users carry a role and a scope exactly as API tokens do (a school for accountants, a managing authority for an
-- authority office).
CREATE TABLE console_users (
    user_id       bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    -- pbkdf2-sha256$<iterations>$<salt base64url>$<hash base64url>: the work factor travels with the hash,
    -- so raising it later re-hashes at the next sign-in without a migration.
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'finance_office', 'authority_office', 'accountant')),
    school_id     bigint REFERENCES schools (school_id),
    authority_code text REFERENCES authorities (authority_code),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz,
    CHECK ((role = 'accountant') = (school_id IS NOT NULL)),
    CHECK ((role = 'authority_office') = (authority_code IS NOT NULL))
);

-- A session is known by the SHA-256 of its id: a copy of this table signs nobody in.
-- Exactly one of user_id / token_id says who signed in (a password or an API token).
CREATE TABLE console_sessions (
    session_hash  bytea PRIMARY KEY CHECK (length(session_hash) = 32),
    user_id       bigint REFERENCES console_users (user_id),
    token_id      bigint REFERENCES api_tokens (token_id),
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    CHECK ((user_id IS NULL) <> (token_id IS NULL))
);
CREATE INDEX console_sessions_by_user ON console_sessions (user_id) WHERE revoked_at IS NULL;

-- The parents' page finds an invoice by the payment code printed on its notice, without knowing the school.
CREATE INDEX invoices_by_payment_code ON invoices (payment_code);
