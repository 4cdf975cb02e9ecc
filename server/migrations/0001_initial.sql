-- The event log, the credentials and the audit trail. SQL common to SQLite and PostgreSQL.
CREATE TABLE events (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, session BIGINT, actor TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX events_session ON events (session, seq);
CREATE TABLE credentials (technician BIGINT PRIMARY KEY, password_hash TEXT NOT NULL, failures BIGINT NOT NULL, locked_until BIGINT NOT NULL);
CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, subject BIGINT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked BIGINT NOT NULL);
CREATE TABLE session_keys (key_hash TEXT PRIMARY KEY, queue TEXT NOT NULL, created_by BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT);
CREATE TABLE external_links (token_hash TEXT PRIMARY KEY, invitation BIGINT NOT NULL, created_at BIGINT NOT NULL, redeemed_at BIGINT);
CREATE TABLE audit (at BIGINT NOT NULL, actor TEXT NOT NULL, command TEXT NOT NULL, outcome TEXT NOT NULL);
