-- The administration interface reads the audit newest first (issue 16).
CREATE INDEX audit_at ON audit (at);
