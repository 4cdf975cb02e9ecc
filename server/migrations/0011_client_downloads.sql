-- One-time download credentials (issue 27): a click-to-chat customer's page asks for one, the
-- support client downloaded with it carries it in its file name, and the first client to present
-- it takes the customer's seat in that session as the full client (E1). Only the hash is kept.
CREATE TABLE client_downloads (
    ticket_hash TEXT PRIMARY KEY,
    session BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
