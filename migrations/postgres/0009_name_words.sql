-- Every word of the name a workspace shows for each member, so that a search finds
-- "Lovelace" in "Ada Lovelace" with an index range scan, as it finds a prefix of the
-- email or of the whole name. Written by the application wherever it writes name_key,
-- as on SQLite. "C" collation: ranges compare code points, as the search builds them.
CREATE TABLE member_name_words (
    membership_id BIGINT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    word TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, word, user_id)
);
CREATE INDEX member_name_words_by_membership ON member_name_words (membership_id);
-- For All users, which searches every workspace's names of one user.
CREATE INDEX member_name_words_by_user ON member_name_words (user_id, word);

-- The words of the names already kept: name_key is lower-case with single spaces.
INSERT INTO member_name_words (membership_id, workspace_id, user_id, word)
SELECT m.id, m.workspace_id, m.user_id, word
FROM memberships m, regexp_split_to_table(m.name_key, ' ') AS word
WHERE word <> ''
ON CONFLICT DO NOTHING;
