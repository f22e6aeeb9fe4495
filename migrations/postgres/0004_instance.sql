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

-- The triggers run once per statement over its transition tables, so that a bulk invite
-- of thousands of rows updates each user once and the counts row once per statement:
-- updating one row thousands of times in a transaction slows every later update of it.
CREATE FUNCTION user_tallies_follow_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE users u SET
            live_memberships = u.live_memberships + c.live,
            building_memberships = u.building_memberships + c.building
        FROM (
            SELECT n.user_id, COUNT(*) AS live,
                   COUNT(*) FILTER (WHERE n.role <> 'end-user') AS building
            FROM new_rows n JOIN workspaces w ON w.id = n.workspace_id
            WHERE n.status <> 'archived' AND w.status = 'active'
            GROUP BY n.user_id
        ) c
        WHERE u.id = c.user_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE users u SET
            live_memberships = u.live_memberships - c.live,
            building_memberships = u.building_memberships - c.building
        FROM (
            SELECT o.user_id, COUNT(*) AS live,
                   COUNT(*) FILTER (WHERE o.role <> 'end-user') AS building
            FROM old_rows o JOIN workspaces w ON w.id = o.workspace_id
            WHERE o.status <> 'archived' AND w.status = 'active'
            GROUP BY o.user_id
        ) c
        WHERE u.id = c.user_id;
    ELSE
        UPDATE users u SET
            live_memberships = u.live_memberships + c.live,
            building_memberships = u.building_memberships + c.building
        FROM (
            SELECT n.user_id,
                   SUM((n.status <> 'archived')::int - (o.status <> 'archived')::int) AS live,
                   SUM((n.status <> 'archived' AND n.role <> 'end-user')::int
                       - (o.status <> 'archived' AND o.role <> 'end-user')::int) AS building
            FROM new_rows n
            JOIN old_rows o ON o.id = n.id
            JOIN workspaces w ON w.id = n.workspace_id
            WHERE w.status = 'active'
              AND (n.status IS DISTINCT FROM o.status OR n.role IS DISTINCT FROM o.role)
            GROUP BY n.user_id
        ) c
        WHERE u.id = c.user_id AND (c.live <> 0 OR c.building <> 0);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_tallies_on_membership_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_tallies_follow_memberships();
CREATE TRIGGER user_tallies_on_membership_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_tallies_follow_memberships();
CREATE TRIGGER user_tallies_on_membership_change AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_tallies_follow_memberships();

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
DECLARE
    users_change BIGINT;
    builders_change BIGINT;
BEGIN
    SELECT COALESCE(SUM((n.live_memberships > 0)::int - (o.live_memberships > 0)::int), 0),
           COALESCE(SUM((n.building_memberships > 0)::int
               - (o.building_memberships > 0)::int), 0)
    INTO users_change, builders_change
    FROM new_rows n JOIN old_rows o ON o.id = n.id;
    IF users_change <> 0 OR builders_change <> 0 THEN
        UPDATE user_counts SET
            users = users + users_change,
            builders = builders + builders_change;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_counts_on_tallies AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_follow();
