-- Two-step sign-in (issue 26): a technician's authenticator secret (TOTP, RFC 6238), enabled once
-- a first code from it was checked; the last time step a code was accepted for, so a code is
-- never accepted twice; and one-time recovery codes, stored only as SHA-256 hashes.
CREATE TABLE second_factors (technician BIGINT PRIMARY KEY, secret TEXT NOT NULL, enabled BIGINT NOT NULL, last_step BIGINT NOT NULL);
CREATE TABLE recovery_codes (technician BIGINT NOT NULL, code_hash TEXT NOT NULL, used BIGINT NOT NULL, PRIMARY KEY (technician, code_hash));
