-- Nonces of bank collection requests signed ahead of our clock (docs/collection.md §1, replay rule).
-- A restarted server refuses every request signed before it started; a request a bank signed with a
-- clock running ahead of ours can carry a later time, so its nonce is kept here until it is stale
-- and read back by the next process. Rows expire (Unix seconds); the service deletes expired ones.
CREATE TABLE collection_future_nonces (
    school_id   bigint NOT NULL REFERENCES schools,
    provider    text NOT NULL,
    merchant    text NOT NULL,
    nonce       text NOT NULL,
    expires_at  bigint NOT NULL,
    PRIMARY KEY (school_id, provider, merchant, nonce)
);
CREATE INDEX collection_future_nonces_expiry ON collection_future_nonces (expires_at);
