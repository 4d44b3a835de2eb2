-- Identity: customer and staff accounts, refresh tokens, sign-in failures.
CREATE TABLE users (
	id		TEXT PRIMARY KEY,		-- usr_...
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name		TEXT NOT NULL DEFAULT '',
	role		TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),
	password_hash	TEXT NOT NULL,			-- crypto_pwhash_str (Argon2id)
	created_at	INTEGER NOT NULL,		-- ms since the epoch
	disabled	INTEGER NOT NULL DEFAULT 0
);

-- Opaque refresh tokens, stored as SHA-256 of the token.  A family is one
-- sign-in; rotation marks the old token used and adds the new one to the
-- family; presenting a used token revokes the whole family.
CREATE TABLE refresh_tokens (
	hash		BLOB PRIMARY KEY,
	family		TEXT NOT NULL,
	user_id		TEXT NOT NULL REFERENCES users(id),
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	used_at		INTEGER,
	revoked_at	INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);

-- Failed sign-ins for rate limiting: key is 'acct:<email>' or 'addr:<ip>'.
CREATE TABLE signin_failures (
	key		TEXT NOT NULL,
	at		INTEGER NOT NULL
);
CREATE INDEX signin_failures_key ON signin_failures(key, at);
CREATE INDEX signin_failures_at ON signin_failures(at);
