-- Released apps: an app's `resources.body` is its draft, which its editors change; each
-- release copies the draft into a numbered version here. Viewers see the app's newest
-- version, so the highest number of an app is the one released; an app without any
-- version is seen by its editors only.
CREATE TABLE app_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    -- 1, 2, 3… per app, in the order released.
    number BIGINT NOT NULL,
    body TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    -- Who released it; NULL once their account is gone, and for the versions below.
    released_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    released_at BIGINT NOT NULL,
    UNIQUE (app_id, number)
);
CREATE INDEX app_versions_by_releaser ON app_versions (released_by);

-- Apps made before releases existed showed their body to viewers at once. Each is
-- released as it stands, as version 1, so that nothing a viewer sees disappears; the
-- time is that of its last change, and nobody released it.
INSERT INTO app_versions (app_id, number, body, notes, released_by, released_at)
    SELECT id, 1, body, 'Released as it stood when versions were introduced.', NULL, updated_at
    FROM resources WHERE kind = 'app';
