-- Every word of the name a workspace shows for each member, so that a search finds
-- "Lovelace" in "Ada Lovelace" with an index range scan, as it finds a prefix of the
-- email or of the whole name. Written by the application wherever it writes name_key
-- (SQLite can't split text inside a trigger).
CREATE TABLE member_name_words (
    membership_id BIGINT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (workspace_id, word, user_id)
);
CREATE INDEX member_name_words_by_membership ON member_name_words (membership_id);
-- For All users, which searches every workspace's names of one user.
CREATE INDEX member_name_words_by_user ON member_name_words (user_id, word);

-- The words of the names already kept: name_key is lower-case with single spaces.
WITH RECURSIVE split (membership_id, workspace_id, user_id, word, rest) AS (
    SELECT id, workspace_id, user_id, '', name_key || ' ' FROM memberships
    UNION ALL
    SELECT membership_id, workspace_id, user_id,
           substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO member_name_words (membership_id, workspace_id, user_id, word)
SELECT membership_id, workspace_id, user_id, word FROM split WHERE word <> '';
