-- Each workspace's permissions version: one more whenever something a member's computed
-- permissions are made of changes (a role or membership status, who is in which group,
-- a group's name or flags, a rule, a rule's chosen resources). Each server keeps the
-- permissions it computed under the version they were computed at and reads the version
-- with the caller's standing on every request: a change is seen by every server at its
-- next request, and only then recomputed. Triggers bump it, so it moves in the same
-- transaction as the change whichever code path made it; they run once per statement, so
-- a bulk invite of 10,000 rows bumps it once.
--
-- Its own table rather than a column of workspaces: the bumps then never touch the row
-- that workspace deletion (whose trigger deletes the memberships first) and
-- lock_workspace hold.
CREATE TABLE permission_versions (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO permission_versions (workspace_id) SELECT id FROM workspaces;

CREATE FUNCTION permission_versions_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO permission_versions (workspace_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER permission_versions_start AFTER INSERT ON workspaces
    FOR EACH ROW EXECUTE FUNCTION permission_versions_start();

CREATE FUNCTION permissions_bump(workspace_ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE permission_versions SET version = version + 1
    WHERE workspace_id = ANY (workspace_ids);
$$;

-- Memberships, groups and group members carry their workspace. A membership counts
-- when its role or status changed; a group whenever it did (its name is what apps show
-- as the member's groups).
CREATE FUNCTION permissions_follow_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM permissions_bump(ARRAY(SELECT DISTINCT workspace_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM permissions_bump(ARRAY(SELECT DISTINCT workspace_id FROM old_rows));
    ELSIF TG_TABLE_NAME = 'memberships' THEN
        PERFORM permissions_bump(ARRAY(
            SELECT DISTINCT n.workspace_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.role IS DISTINCT FROM o.role OR n.status IS DISTINCT FROM o.status));
    ELSE
        PERFORM permissions_bump(ARRAY(SELECT DISTINCT workspace_id FROM new_rows));
    END IF;
    RETURN NULL;
END;
$$;

-- Rules and their chosen resources find their workspace through their group. When a
-- group is deleted its rules go by cascade after it: its own bump covers them.
CREATE FUNCTION permissions_follow_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM permissions_bump(ARRAY(
            SELECT DISTINCT g.workspace_id FROM old_rows r JOIN groups g ON g.id = r.group_id));
    ELSE
        PERFORM permissions_bump(ARRAY(
            SELECT DISTINCT g.workspace_id FROM new_rows r JOIN groups g ON g.id = r.group_id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION permissions_follow_chosen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM permissions_bump(ARRAY(
            SELECT DISTINCT g.workspace_id FROM old_rows c
            JOIN group_rules r ON r.id = c.rule_id JOIN groups g ON g.id = r.group_id));
    ELSE
        PERFORM permissions_bump(ARRAY(
            SELECT DISTINCT g.workspace_id FROM new_rows c
            JOIN group_rules r ON r.id = c.rule_id JOIN groups g ON g.id = r.group_id));
    END IF;
    RETURN NULL;
END;
$$;

-- A trigger with transition tables answers one kind of statement, hence three a table.
CREATE TRIGGER permissions_on_membership_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();
CREATE TRIGGER permissions_on_membership_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();
CREATE TRIGGER permissions_on_membership_change AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();

CREATE TRIGGER permissions_on_group_insert AFTER INSERT ON groups
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();
CREATE TRIGGER permissions_on_group_delete AFTER DELETE ON groups
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();
CREATE TRIGGER permissions_on_group_change AFTER UPDATE ON groups
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();

CREATE TRIGGER permissions_on_group_member_insert AFTER INSERT ON group_members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();
CREATE TRIGGER permissions_on_group_member_delete AFTER DELETE ON group_members
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rows();

CREATE TRIGGER permissions_on_rule_insert AFTER INSERT ON group_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rules();
CREATE TRIGGER permissions_on_rule_delete AFTER DELETE ON group_rules
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rules();
CREATE TRIGGER permissions_on_rule_change AFTER UPDATE ON group_rules
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_rules();

CREATE TRIGGER permissions_on_chosen_insert AFTER INSERT ON group_rule_resources
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_chosen();
CREATE TRIGGER permissions_on_chosen_delete AFTER DELETE ON group_rule_resources
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_follow_chosen();

-- Each group's part of its members' permissions, as one JSON document: its name, role and
-- flags, and its rules with their chosen resources, as arrays in the order of
-- groups::store::GroupDocument's fields (arrays rather than objects: half the size to
-- read and parse). Loading a member's permissions then
-- reads one stored document per group instead of building it from every rule and chosen
-- resource. The view is the one definition; the triggers store what it says whenever one
-- of its parts changes, once per statement for rules and chosen resources.
ALTER TABLE groups ADD COLUMN permissions_document TEXT;

CREATE VIEW group_permission_documents AS
SELECT g.id AS group_id,
       json_build_array(g.id, g.name, g.name_key, g.role, g.flags, (
           SELECT json_agg(json_build_array(
               r.id, r.name, r.kind, r.access, r.hide_from_dashboard, r.all_resources,
               (SELECT json_agg(c.resource_id)
                FROM group_rule_resources c WHERE c.rule_id = r.id)))
           FROM group_rules r WHERE r.group_id = g.id))::text AS document
FROM groups g;

CREATE FUNCTION group_documents_refresh(group_ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE groups g SET permissions_document =
        (SELECT d.document FROM group_permission_documents d WHERE d.group_id = g.id)
    WHERE g.id = ANY (group_ids);
$$;

SELECT group_documents_refresh(ARRAY(SELECT id FROM groups));

CREATE FUNCTION group_documents_follow_groups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM group_documents_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER group_document_on_insert AFTER INSERT ON groups
    FOR EACH ROW EXECUTE FUNCTION group_documents_follow_groups();
CREATE TRIGGER group_document_on_change AFTER UPDATE OF name, name_key, role, flags ON groups
    FOR EACH ROW EXECUTE FUNCTION group_documents_follow_groups();

CREATE FUNCTION group_documents_follow_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM group_documents_refresh(ARRAY(SELECT DISTINCT group_id FROM old_rows));
    ELSE
        PERFORM group_documents_refresh(ARRAY(SELECT DISTINCT group_id FROM new_rows));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER group_document_on_rule_insert AFTER INSERT ON group_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION group_documents_follow_rules();
CREATE TRIGGER group_document_on_rule_change AFTER UPDATE ON group_rules
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION group_documents_follow_rules();
CREATE TRIGGER group_document_on_rule_delete AFTER DELETE ON group_rules
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION group_documents_follow_rules();

CREATE FUNCTION group_documents_follow_chosen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM group_documents_refresh(ARRAY(
            SELECT DISTINCT r.group_id FROM old_rows c JOIN group_rules r ON r.id = c.rule_id));
    ELSE
        PERFORM group_documents_refresh(ARRAY(
            SELECT DISTINCT r.group_id FROM new_rows c JOIN group_rules r ON r.id = c.rule_id));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER group_document_on_chosen_insert AFTER INSERT ON group_rule_resources
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION group_documents_follow_chosen();
CREATE TRIGGER group_document_on_chosen_delete AFTER DELETE ON group_rule_resources
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION group_documents_follow_chosen();
