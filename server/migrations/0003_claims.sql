-- Credentials handed out once (a jump client's agent credential, a support button's secret):
-- the primary key lets only the first claim through.
CREATE TABLE claims (kind TEXT NOT NULL, subject BIGINT NOT NULL, claimed_at BIGINT NOT NULL, PRIMARY KEY (kind, subject));
CREATE INDEX tokens_subject ON tokens (kind, subject);
