-- Members: listing at scale, invitations, encrypted metadata, the mail outbox and the
-- audit trail.

-- The listing walks (workspace, email) and (workspace, name) in index order, so each
-- membership carries its user's email (never editable) and lower-cased full name
-- (kept in step when the name changes).
ALTER TABLE memberships ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE memberships SET
    email = (SELECT u.email FROM users u WHERE u.id = memberships.user_id),
    name_key = (SELECT lower(u.full_name) FROM users u WHERE u.id = memberships.user_id);
CREATE INDEX memberships_by_email ON memberships (workspace_id, email);
CREATE INDEX memberships_by_status_email ON memberships (workspace_id, status, email);
CREATE INDEX memberships_by_name ON memberships (workspace_id, name_key);
CREATE INDEX memberships_by_status_name ON memberships (workspace_id, status, name_key);

-- Members per workspace and status, kept by triggers so that a page of a large
-- workspace shows its total without counting every row.
CREATE TABLE member_counts (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    members BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, status)
);
INSERT INTO member_counts (workspace_id, status, members)
    SELECT workspace_id, status, COUNT(*) FROM memberships GROUP BY workspace_id, status;

CREATE TRIGGER member_counts_on_insert AFTER INSERT ON memberships
BEGIN
    INSERT INTO member_counts (workspace_id, status, members)
        VALUES (NEW.workspace_id, NEW.status, 1)
        ON CONFLICT (workspace_id, status) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER member_counts_on_delete AFTER DELETE ON memberships
BEGIN
    UPDATE member_counts SET members = members - 1
        WHERE workspace_id = OLD.workspace_id AND status = OLD.status;
END;

CREATE TRIGGER member_counts_on_status AFTER UPDATE OF status ON memberships
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE member_counts SET members = members - 1
        WHERE workspace_id = OLD.workspace_id AND status = OLD.status;
    INSERT INTO member_counts (workspace_id, status, members)
        VALUES (NEW.workspace_id, NEW.status, 1)
        ON CONFLICT (workspace_id, status) DO UPDATE SET members = members + 1;
END;

-- Links that let an invited member join. Only a SHA-256 hash of each token is stored.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id BIGINT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    -- Set when a resend or an archive replaced this link.
    revoked_at BIGINT
);
CREATE INDEX invitations_by_membership ON invitations (membership_id);

-- One row per metadata key. The value is AES-256-GCM ciphertext bound to the
-- workspace, the user and the key; key_id names the master key that sealed it.
CREATE TABLE member_metadata (
    workspace_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    meta_key TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    key_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id, meta_key),
    FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX member_metadata_by_key_id ON member_metadata (key_id);

-- Mail waits here until it is delivered: 'held' when no SMTP server is configured (super
-- admins read it under Settings), 'queued' until a server instance claims it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- Who did what to whom, and when. Rows are only ever inserted.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at BIGINT NOT NULL,
    actor_user_id BIGINT,
    workspace_id BIGINT,
    target_user_id BIGINT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, occurred_at);
-- For the invitation rate limits, which count recent actions by admin and by target.
CREATE INDEX audit_events_by_actor ON audit_events (actor_user_id, action, occurred_at);
CREATE INDEX audit_events_by_target ON audit_events (target_user_id, action, occurred_at);
CREATE TRIGGER audit_events_are_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be changed');
END;
CREATE TRIGGER audit_events_are_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be deleted');
END;
