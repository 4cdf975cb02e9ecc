-- Which technicians may see each event, fixed when it was committed (JSON list; NULL: all).
ALTER TABLE events ADD COLUMN audience TEXT;
