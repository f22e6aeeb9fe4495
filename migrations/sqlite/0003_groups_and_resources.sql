-- Groups and permissions, and the resources they govern: apps, folders, workspace
-- constants and data sources.

-- Every workspace has the three role groups (role = 'admin' | 'builder' | 'end-user'),
-- whose members are the memberships with that role, and any number of custom groups
-- (role IS NULL), whose members are listed in group_members. A membership's role column
-- is the one default group it belongs to, so it always has exactly one.
CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Lower-cased name: names are unique in a workspace regardless of case.
    name_key TEXT NOT NULL,
    role TEXT CHECK (role IN ('admin', 'builder', 'end-user')),
    -- The workspace-level permission flags, one bit each (see permissions::Flag).
    flags BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name_key),
    UNIQUE (workspace_id, role)
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX group_members_by_member ON group_members (workspace_id, user_id);

-- Apps, folders, workspace constants and data sources in one table, so that a rule's
-- chosen resources are foreign keys whatever their kind.
CREATE TABLE resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('app', 'folder', 'constant', 'data_source')),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    -- Apps: the folder they are in and who owns them.
    folder_id BIGINT REFERENCES resources (id) ON DELETE SET NULL,
    owner_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- Apps: the body text. Data sources: what kind of source it is.
    body TEXT NOT NULL DEFAULT '',
    -- Constants' values and data sources' configuration, sealed like member metadata.
    ciphertext TEXT,
    key_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, kind, name_key)
);
CREATE INDEX resources_by_folder ON resources (folder_id);
CREATE INDEX resources_by_owner ON resources (workspace_id, owner_user_id);
CREATE INDEX resources_by_key_id ON resources (key_id);

-- Granular rules: an access level on all resources of a kind, or on chosen ones.
CREATE TABLE group_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('app', 'folder', 'constant', 'data_source')),
    access TEXT NOT NULL CHECK (access IN ('edit', 'view', 'configure', 'build_with')),
    hide_from_dashboard INTEGER NOT NULL DEFAULT 0 CHECK (hide_from_dashboard IN (0, 1)),
    all_resources INTEGER NOT NULL DEFAULT 1 CHECK (all_resources IN (0, 1)),
    created_at BIGINT NOT NULL,
    UNIQUE (group_id, name_key)
);

CREATE TABLE group_rule_resources (
    rule_id BIGINT NOT NULL REFERENCES group_rules (id) ON DELETE CASCADE,
    resource_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, resource_id)
);
CREATE INDEX group_rule_resources_by_resource ON group_rule_resources (resource_id);

-- The role groups of workspaces that exist already, seeded as new ones are.
INSERT INTO groups (workspace_id, name, name_key, role, flags, created_at)
    SELECT id, 'Admin', 'admin', 'admin', 1023, created_at FROM workspaces;
INSERT INTO groups (workspace_id, name, name_key, role, flags, created_at)
    SELECT id, 'Builder', 'builder', 'builder', 1023, created_at FROM workspaces;
INSERT INTO groups (workspace_id, name, name_key, role, flags, created_at)
    SELECT id, 'End-user', 'end-user', 'end-user', 0, created_at FROM workspaces;
INSERT INTO group_rules (group_id, name, name_key, kind, access, all_resources, created_at)
    SELECT g.id, r.name, lower(r.name), r.kind, r.access, 1, g.created_at
    FROM groups g JOIN (
        SELECT 'admin' AS role, 'Apps' AS name, 'app' AS kind, 'edit' AS access
        UNION ALL SELECT 'admin', 'Data sources', 'data_source', 'configure'
        UNION ALL SELECT 'admin', 'Workspace constants', 'constant', 'edit'
        UNION ALL SELECT 'builder', 'Apps', 'app', 'edit'
        UNION ALL SELECT 'builder', 'Data sources', 'data_source', 'configure'
        UNION ALL SELECT 'builder', 'Workspace constants', 'constant', 'edit'
        UNION ALL SELECT 'end-user', 'Apps', 'app', 'view'
    ) r ON r.role = g.role;
