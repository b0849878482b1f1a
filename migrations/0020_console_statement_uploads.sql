-- Statement files uploaded in the console, kept from the preview until the accountant confirms the import
-- (the browser cannot send the same file again without asking the person to pick it again). Rows are
-- deleted at import and pruned after an hour; nothing here is a record of the books.
CREATE TABLE console_statement_uploads (
    school_id     bigint NOT NULL REFERENCES schools (school_id),
    upload_id     bigserial NOT NULL,
    bank_account  text NOT NULL,
    format        text NOT NULL,
    file_name     text NOT NULL,
    content       bytea NOT NULL,
    uploaded_by   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, upload_id)
);
