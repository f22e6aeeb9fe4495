-- Hardening: what a link proves, names per workspace until someone joins, sealed mail,
-- the master keys' encryption counts and sign-in throttling per email and address.

-- A link that went out by mail proves its holder reads the address's mail; one an admin
-- copied proves only that admin's word. Links made before this was recorded count as
-- copied.
ALTER TABLE invitations ADD COLUMN sent_by_mail INTEGER NOT NULL DEFAULT 0
    CHECK (sent_by_mail IN (0, 1));

-- Set when a password was chosen through a copied link: only that link's workspace
-- vouched for whoever chose it, so a mailed link of any workspace may replace it.
ALTER TABLE users ADD COLUMN password_from_copied_link INTEGER NOT NULL DEFAULT 0
    CHECK (password_from_copied_link IN (0, 1));

-- Until someone joins a workspace, it knows them by the name it gave them, whatever
-- another workspace called them. NULL once they go by their own name.
ALTER TABLE memberships ADD COLUMN invited_name TEXT;
UPDATE memberships m SET invited_name = u.full_name FROM users u
    WHERE u.id = m.user_id AND m.status = 'invited';

-- Mail bodies carry invitation links, so they are sealed with the master key named here.
-- NULL for a body that holds no secret any more (delivered), or one written before
-- sealing, which the server seals at start.
ALTER TABLE mail_outbox ADD COLUMN key_id TEXT;

-- How many values each master key has sealed: AES-GCM with random nonces allows at most
-- 2^32 encryptions under one key (NIST SP 800-38D §8.3), and the server warns well before.
CREATE TABLE master_key_usage (
    key_id TEXT PRIMARY KEY,
    encryptions BIGINT NOT NULL
);

-- Sign-in attempts are limited per email and address together, and per address.
DROP INDEX sign_in_attempts_by_email;
CREATE INDEX sign_in_attempts_by_pair ON sign_in_attempts (email, address, attempted_at);
