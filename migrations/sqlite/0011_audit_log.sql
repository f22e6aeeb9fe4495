-- The audit log people read: each event's category (the Action filter's groups), the
-- resource it concerns and the address the request came from; indexes that serve a page
-- of any filter newest first, keyset-paged by (occurred_at, id); and a retention period.

-- Derived from the action, so no writer can get it wrong; src/audit/mod.rs's
-- Action::category says the same (a store test holds them together).
ALTER TABLE audit_events ADD COLUMN category TEXT GENERATED ALWAYS AS (
    CASE
        WHEN action IN ('member.handed_over_to_provisioning', 'member.taken_back_from_provisioning',
                'member.provisioned', 'member.details_provisioned',
                'sso.provider_added', 'sso.provider_changed', 'sso.provider_deleted',
                'sso.settings_changed', 'sso.group_skipped')
            OR action LIKE 'token.%' OR action LIKE 'scim_token.%'
            OR action LIKE 'provisioning.%' THEN 'tokens_and_provisioning'
        WHEN action LIKE 'member.%' OR action LIKE 'invitation.%' THEN 'members'
        WHEN action LIKE 'group.%' OR action = 'apps.transferred' THEN 'groups_and_permissions'
        WHEN action LIKE 'resource.%' OR action LIKE 'app.%' THEN 'resources'
        WHEN action IN ('user.password_changed', 'user.password_reset', 'user.sessions_ended',
                'access.refused')
            OR action LIKE 'sso.%' THEN 'sign_in_and_sessions'
        ELSE 'workspaces_and_instance'
    END
) VIRTUAL;
ALTER TABLE audit_events ADD COLUMN resource_id BIGINT;
ALTER TABLE audit_events ADD COLUMN source_address TEXT;

DROP INDEX audit_events_by_workspace;
CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, occurred_at, id);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at, id);
CREATE INDEX audit_events_by_workspace_category
    ON audit_events (workspace_id, category, occurred_at, id);
CREATE INDEX audit_events_by_category ON audit_events (category, occurred_at, id);
CREATE INDEX audit_events_by_workspace_action
    ON audit_events (workspace_id, action, occurred_at, id);
CREATE INDEX audit_events_by_action_time ON audit_events (action, occurred_at, id);
CREATE INDEX audit_events_by_actor_time ON audit_events (actor_user_id, occurred_at, id);
CREATE INDEX audit_events_by_target_time ON audit_events (target_user_id, occurred_at, id);
CREATE INDEX audit_events_by_resource ON audit_events (resource_id, occurred_at, id);

-- How many days events are kept; NULL keeps them forever. Only events older than that
-- may be deleted, and only by pruning: everything else still refuses.
ALTER TABLE instance ADD COLUMN audit_retention_days BIGINT CHECK (audit_retention_days > 0);
DROP TRIGGER audit_events_are_append_only_delete;
CREATE TRIGGER audit_events_are_kept_until_they_expire BEFORE DELETE ON audit_events
WHEN NOT EXISTS (
    SELECT 1 FROM instance
    WHERE audit_retention_days IS NOT NULL
        AND OLD.occurred_at < CAST(strftime('%s', 'now') AS INTEGER) - audit_retention_days * 86400
)
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be deleted');
END;
