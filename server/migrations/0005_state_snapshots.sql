-- Copies of the whole state (issue 14): start-up reads the newest and replays only the events
-- after it. JSON, so a copy an older version cannot read is simply passed over.
CREATE TABLE state_snapshots (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, body TEXT NOT NULL);
