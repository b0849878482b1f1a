-- API tokens: bearer secrets of at least 32 random bytes, of which only a SHA-256 is stored.
-- A token carries a role and, for school and district roles, the scope it may see.
CREATE TABLE api_tokens (
    token_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    role             text NOT NULL CHECK (role IN ('admin', 'finance_office', 'district_office', 'accountant', 'bank')),
    school_id        bigint REFERENCES schools,
    district         text CHECK (length(district) BETWEEN 1 AND 100),
    label            text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz,
    CHECK ((role IN ('accountant', 'bank')) = (school_id IS NOT NULL)),
    CHECK ((role = 'district_office') = (district IS NOT NULL))
);
