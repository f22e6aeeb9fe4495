-- Personal access tokens for the REST admin API. A token acts for its owner, never
-- beyond the owner's rights at the moment of each request, and only within its scopes.
CREATE TABLE access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- SHA-256 of the secret; the secret itself is shown once and never stored.
    secret_hash TEXT NOT NULL UNIQUE,
    -- The secret's first characters after its prefix, so people can tell tokens apart.
    hint TEXT NOT NULL,
    -- Space-separated scope keys, e.g. 'members:read groups:write'.
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- NULL: never expires.
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT,
    -- The address of the latest request, to notice a new one without a lookup.
    last_used_address TEXT
);
CREATE INDEX access_tokens_by_user ON access_tokens (user_id);

-- Every address a token was used from: the first use from a new one is audited.
CREATE TABLE access_token_addresses (
    token_id BIGINT NOT NULL REFERENCES access_tokens (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    first_used_at BIGINT NOT NULL,
    PRIMARY KEY (token_id, address)
);
