-- A row per session (issue 16): the session reports list sessions, newest first, without reading
-- every event; a report reads its own session's events (index events_session). Sessions stored
-- before this table are filled in by the appliance after the migrations (pending_backfills).
CREATE TABLE session_list (session BIGINT PRIMARY KEY, started_at BIGINT NOT NULL, ended_at BIGINT, customer TEXT NOT NULL);
CREATE INDEX session_list_started ON session_list (started_at, session);
INSERT INTO pending_backfills (name) VALUES ('sessions');
