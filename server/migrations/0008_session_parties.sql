-- Who took part in each session and which groups' queues it waited in (issue 16): an
-- administrator reads the reports of the sessions of the technicians and groups below theirs
-- (G1), found here without reading every event. Filled from older stores after the migrations.
CREATE TABLE session_parties (session BIGINT NOT NULL, kind TEXT NOT NULL, id BIGINT NOT NULL, PRIMARY KEY (session, kind, id));
CREATE INDEX session_parties_by_party ON session_parties (kind, id, session);
INSERT INTO pending_backfills (name) VALUES ('parties');
