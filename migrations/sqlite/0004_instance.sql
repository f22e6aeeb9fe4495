-- Settings › All users: instance-wide counts kept by triggers, so that reading them costs
-- one row however many users there are.
--
-- A membership is live while it is invited or active in an active workspace. Each user
-- carries how many live memberships they hold, and how many of those are as Admin or
-- Builder; `user_counts` holds how many users have at least one of each. Archiving a
-- user from the instance archives every membership, so archived users drop out.

ALTER TABLE users ADD COLUMN live_memberships BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN building_memberships BIGINT NOT NULL DEFAULT 0;
-- The All users listing filtered by status, in email order.
CREATE INDEX users_by_status_email ON users (status, email);

UPDATE users SET
    live_memberships = (
        SELECT COUNT(*) FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
        WHERE m.user_id = users.id AND m.status <> 'archived' AND w.status = 'active'),
    building_memberships = (
        SELECT COUNT(*) FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
        WHERE m.user_id = users.id AND m.status <> 'archived' AND w.status = 'active'
            AND m.role <> 'end-user');

CREATE TABLE user_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    users BIGINT NOT NULL,
    builders BIGINT NOT NULL
);
INSERT INTO user_counts (id, users, builders)
    SELECT 1,
        COUNT(CASE WHEN live_memberships > 0 THEN 1 END),
        COUNT(CASE WHEN building_memberships > 0 THEN 1 END)
    FROM users;

CREATE TRIGGER user_tallies_on_membership_insert AFTER INSERT ON memberships
WHEN NEW.status <> 'archived'
    AND EXISTS (SELECT 1 FROM workspaces WHERE id = NEW.workspace_id AND status = 'active')
BEGIN
    UPDATE users SET
        live_memberships = live_memberships + 1,
        building_memberships = building_memberships + (NEW.role <> 'end-user')
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER user_tallies_on_membership_delete AFTER DELETE ON memberships
WHEN OLD.status <> 'archived'
    AND EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id AND status = 'active')
BEGIN
    UPDATE users SET
        live_memberships = live_memberships - 1,
        building_memberships = building_memberships - (OLD.role <> 'end-user')
    WHERE id = OLD.user_id;
END;

CREATE TRIGGER user_tallies_on_membership_change AFTER UPDATE OF status, role ON memberships
WHEN (OLD.status <> NEW.status OR OLD.role <> NEW.role)
    AND EXISTS (SELECT 1 FROM workspaces WHERE id = NEW.workspace_id AND status = 'active')
BEGIN
    UPDATE users SET
        live_memberships = live_memberships
            - (OLD.status <> 'archived') + (NEW.status <> 'archived'),
        building_memberships = building_memberships
            - (OLD.status <> 'archived' AND OLD.role <> 'end-user')
            + (NEW.status <> 'archived' AND NEW.role <> 'end-user')
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER user_tallies_on_workspace_status AFTER UPDATE OF status ON workspaces
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE users SET
        live_memberships = live_memberships
            + (CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END),
        building_memberships = building_memberships
            + (CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END) * (
                SELECT m.role <> 'end-user' FROM memberships m
                WHERE m.workspace_id = NEW.id AND m.user_id = users.id)
    WHERE id IN (
        SELECT user_id FROM memberships WHERE workspace_id = NEW.id AND status <> 'archived');
END;

-- Deleting a workspace or a user first deletes its memberships, so that the triggers
-- above still see the workspace and the user and keep the counts right.
CREATE TRIGGER user_tallies_on_workspace_delete BEFORE DELETE ON workspaces
BEGIN
    DELETE FROM memberships WHERE workspace_id = OLD.id;
END;

CREATE TRIGGER user_tallies_on_user_delete BEFORE DELETE ON users
BEGIN
    DELETE FROM memberships WHERE user_id = OLD.id;
END;

CREATE TRIGGER user_counts_on_tallies
AFTER UPDATE OF live_memberships, building_memberships ON users
WHEN (OLD.live_memberships > 0) <> (NEW.live_memberships > 0)
    OR (OLD.building_memberships > 0) <> (NEW.building_memberships > 0)
BEGIN
    UPDATE user_counts SET
        users = users + (NEW.live_memberships > 0) - (OLD.live_memberships > 0),
        builders = builders
            + (NEW.building_memberships > 0) - (OLD.building_memberships > 0);
END;
