-- Files uploaded in the console (a roster, a bank statement), kept from the preview until the accountant confirms
-- the import: a browser cannot send the same file again without asking the person to pick it again, and the
-- import must read exactly the bytes that were previewed. Kept in the database so that a restart or a second
-- server still finds them. Each row is bound to the session that uploaded it (the SHA-256 of its CSRF token),
-- taken once at the confirmation and pruned after an hour; nothing here is a record of the books.
CREATE TABLE console_uploads (
    school_id     bigint NOT NULL REFERENCES schools (school_id),
    upload_id     text NOT NULL CHECK (length(upload_id) BETWEEN 16 AND 64),
    kind          text NOT NULL CHECK (kind IN ('roster', 'statement')),
    owner_hash    bytea NOT NULL CHECK (length(owner_hash) = 32),
    file_name     text NOT NULL,
    content       bytea NOT NULL,
    -- A statement is imported into one of the school's accounts, in the format chosen at upload; a roster has neither.
    bank_account  text,
    format        text,
    uploaded_by   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (school_id, upload_id),
    CHECK ((kind = 'statement') = (bank_account IS NOT NULL AND format IS NOT NULL))
);
