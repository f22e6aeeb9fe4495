-- SCIM provisioning: workspace tokens for identity providers, the workspace's choices,
-- the latest requests, and which memberships and groups an identity provider created.

-- A workspace's tokens for its identity provider. Only a SHA-256 hash of each secret is
-- stored. A token acts with the rights of the admin who created it, for as long as they
-- are an active admin of the workspace.
CREATE TABLE scim_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_by BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX scim_tokens_by_workspace ON scim_tokens (workspace_id);

-- What a group change does when it would give an End-user a builder-level permission:
-- 'refuse' it, naming the users, or 'promote' them to Builder. No row: refuse.
CREATE TABLE provisioning_settings (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    builder_level_groups TEXT NOT NULL CHECK (builder_level_groups IN ('refuse', 'promote'))
);

-- SCIM attributes copied into member metadata on every provisioning change.
CREATE TABLE provisioning_attribute_map (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    scim_path TEXT NOT NULL,
    meta_key TEXT NOT NULL,
    PRIMARY KEY (workspace_id, scim_path),
    UNIQUE (workspace_id, meta_key)
);

-- The latest SCIM requests of each workspace, so an admin can see what the identity
-- provider did. Rows older than the retention period are pruned as new ones arrive.
CREATE TABLE scim_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    token_id BIGINT,
    occurred_at BIGINT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX scim_requests_by_workspace ON scim_requests (workspace_id, occurred_at);

-- Memberships an identity provider created (or an admin handed over to it): only these
-- may SCIM deactivate or delete. scim_user_name is the lower-cased userName when it is
-- not the sign-in email; SCIM's userName is COALESCE(scim_user_name, email).
ALTER TABLE memberships ADD COLUMN provisioned INTEGER NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1));
ALTER TABLE memberships ADD COLUMN scim_user_name TEXT;
ALTER TABLE memberships ADD COLUMN external_id TEXT;
CREATE INDEX memberships_by_user_name ON memberships (workspace_id, (COALESCE(scim_user_name, email)));
CREATE INDEX memberships_by_external_id ON memberships (workspace_id, external_id);
CREATE INDEX memberships_by_created ON memberships (workspace_id, created_at, user_id);

-- The SCIM attributes of a provisioned member as the identity provider last sent them,
-- a JSON document sealed with AES-256-GCM like metadata (it may hold employee numbers).
CREATE TABLE scim_user_documents (
    workspace_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    ciphertext TEXT NOT NULL,
    key_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id),
    FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX scim_user_documents_by_key_id ON scim_user_documents (key_id);

ALTER TABLE groups ADD COLUMN provisioned INTEGER NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1));
ALTER TABLE groups ADD COLUMN external_id TEXT;
ALTER TABLE groups ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE groups SET updated_at = created_at;
