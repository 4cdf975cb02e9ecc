-- A customer client's key (issue 26): the public half of the Ed25519 key a customer client made at
-- join, bound to the session token it was issued; every request with that token must prove the
-- key. Tokens issued without one (older clients, jump agents' offers) stay bearer tokens.
CREATE TABLE token_proofs (token_hash TEXT PRIMARY KEY, public_key TEXT NOT NULL);
