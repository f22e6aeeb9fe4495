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

CREATE FUNCTION user_tallies_follow_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.status <> 'archived'
        AND EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id AND status = 'active')
    THEN
        UPDATE users SET
            live_memberships = live_memberships - 1,
            building_memberships = building_memberships
                - CASE WHEN OLD.role <> 'end-user' THEN 1 ELSE 0 END
        WHERE id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'archived'
        AND EXISTS (SELECT 1 FROM workspaces WHERE id = NEW.workspace_id AND status = 'active')
    THEN
        UPDATE users SET
            live_memberships = live_memberships + 1,
            building_memberships = building_memberships
                + CASE WHEN NEW.role <> 'end-user' THEN 1 ELSE 0 END
        WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_tallies_on_membership_insert_or_delete
    AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION user_tallies_follow_membership();
CREATE TRIGGER user_tallies_on_membership_change AFTER UPDATE OF status, role ON memberships
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION user_tallies_follow_membership();

CREATE FUNCTION user_tallies_follow_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    direction BIGINT := CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END;
BEGIN
    UPDATE users u SET
        live_memberships = u.live_memberships + direction,
        building_memberships = u.building_memberships
            + CASE WHEN m.role <> 'end-user' THEN direction ELSE 0 END
    FROM memberships m
    WHERE m.workspace_id = NEW.id AND m.user_id = u.id AND m.status <> 'archived';
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_tallies_on_workspace_status AFTER UPDATE OF status ON workspaces
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION user_tallies_follow_workspace();

-- Deleting a workspace first deletes its memberships, so that the trigger above still
-- sees the workspace and keeps the counts right.
CREATE FUNCTION user_tallies_before_workspace_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM memberships WHERE workspace_id = OLD.id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER user_tallies_on_workspace_delete BEFORE DELETE ON workspaces
    FOR EACH ROW EXECUTE FUNCTION user_tallies_before_workspace_delete();

-- A deleted user leaves the counts with what they counted for. Their memberships go by
-- cascade after the row, so the triggers above find no user left to update.
CREATE FUNCTION user_counts_forget_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts SET
        users = users - (OLD.live_memberships > 0)::int,
        builders = builders - (OLD.building_memberships > 0)::int;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_on_user_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION user_counts_forget_user();

CREATE FUNCTION user_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts SET
        users = users
            + (NEW.live_memberships > 0)::int - (OLD.live_memberships > 0)::int,
        builders = builders
            + (NEW.building_memberships > 0)::int - (OLD.building_memberships > 0)::int;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_on_tallies
    AFTER UPDATE OF live_memberships, building_memberships ON users
    FOR EACH ROW WHEN (
        (OLD.live_memberships > 0) <> (NEW.live_memberships > 0)
        OR (OLD.building_memberships > 0) <> (NEW.building_memberships > 0))
    EXECUTE FUNCTION user_counts_follow();
