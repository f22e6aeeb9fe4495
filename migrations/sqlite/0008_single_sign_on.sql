-- Single sign-on with OpenID Connect: the instance's identity providers, which of them
-- each workspace accepts and how it maps their groups, the identities linked to
-- accounts, and sign-ins under way.

-- An identity provider, configured by a super admin for the whole instance. The client
-- secret is sealed with the master key. The discovery document and the signing keys
-- (JWKS) are cached here, so that every server instance shares one copy and one refresh.
CREATE TABLE sso_providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The provider's part of its sign-in and callback paths.
    slug TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    issuer_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    client_secret_key_id TEXT NOT NULL,
    -- Space-separated; always includes openid.
    scopes TEXT NOT NULL,
    email_claim TEXT NOT NULL,
    groups_claim TEXT NOT NULL,
    groups_source TEXT NOT NULL CHECK (groups_source IN ('id_token', 'access_token', 'userinfo')),
    -- Space-separated, lower-case; empty: every domain.
    allowed_domains TEXT NOT NULL,
    discovery TEXT,
    discovered_at BIGINT,
    jwks TEXT,
    jwks_fetched_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sso_providers_by_secret_key_id ON sso_providers (client_secret_key_id);

-- How a workspace uses single sign-on. Its changes to members act as the admin who last
-- saved these settings, for as long as they are an active admin of the workspace.
CREATE TABLE workspace_sso_settings (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    saved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    require_sso INTEGER NOT NULL DEFAULT 0 CHECK (require_sso IN (0, 1)),
    join_on_first_sign_in INTEGER NOT NULL DEFAULT 1 CHECK (join_on_first_sign_in IN (0, 1)),
    default_role TEXT NOT NULL DEFAULT 'end-user' CHECK (default_role IN ('admin', 'builder', 'end-user')),
    sync_mode TEXT NOT NULL DEFAULT 'off' CHECK (sync_mode IN ('off', 'full', 'additive', 'first_sign_in')),
    ignore_case INTEGER NOT NULL DEFAULT 1 CHECK (ignore_case IN (0, 1)),
    create_groups INTEGER NOT NULL DEFAULT 0 CHECK (create_groups IN (0, 1)),
    builder_level_groups TEXT NOT NULL DEFAULT 'refuse' CHECK (builder_level_groups IN ('refuse', 'promote'))
);

-- The providers a workspace accepts.
CREATE TABLE workspace_sso_providers (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, provider_id)
);
CREATE INDEX workspace_sso_providers_by_provider ON workspace_sso_providers (provider_id);

-- An identity provider's group, as its claim names it, mapped to a Gatehouse group: a
-- custom group or one of the role groups Admin, Builder and End-user.
CREATE TABLE sso_group_mappings (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    idp_group TEXT NOT NULL,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, idp_group, group_id)
);

-- An account's identity at a provider: (issuer, subject) names one person for good,
-- whatever their email becomes.
CREATE TABLE sso_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id BIGINT REFERENCES sso_providers (id) ON DELETE SET NULL,
    linked_at BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_by_user ON sso_identities (user_id);

-- Sign-ins sent to a provider and not yet back. The state is stored hashed and used
-- once; the PKCE verifier and nonce stay on the server.
CREATE TABLE sso_sign_ins (
    state_hash TEXT PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sso_sign_ins_by_expiry ON sso_sign_ins (expires_at);

-- A membership's single sign-on history: when group sync first ran for it, and the
-- groups it last had to skip, shown on the member's row.
ALTER TABLE memberships ADD COLUMN sso_synced_at BIGINT;
ALTER TABLE memberships ADD COLUMN sso_sync_warning TEXT;

-- A session begun through a provider remembers it and the ID token, for signing out at
-- the provider too.
ALTER TABLE sessions ADD COLUMN sso_provider_id BIGINT REFERENCES sso_providers (id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN id_token TEXT;
