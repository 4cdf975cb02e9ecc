-- Chat lines beside the events that carry them (issue 14): a console's snapshot reads a
-- session's newest lines, not every event of the session. The lines of events stored before
-- this table are filled in by the appliance (Rust reads the events' JSON) after the migrations,
-- in one transaction with the removal of this marker, so that a crash in between only repeats it.
CREATE TABLE chat (seq BIGINT PRIMARY KEY, session BIGINT NOT NULL, at BIGINT NOT NULL, speaker TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX chat_session ON chat (session, seq);
CREATE TABLE pending_backfills (name TEXT PRIMARY KEY);
INSERT INTO pending_backfills (name) VALUES ('chat');
