-- How far a learn job has read a repository's merged pull requests: the
-- newest updated_at it read, and the rules it labeled them by (the pull
-- request labeler's version and the repository's label mapping). The
-- next job reads only the pull requests updated since, unless the rules
-- changed; NULL: none read yet, the next job reads them all.
ALTER TABLE repositories ADD COLUMN pulls_read_through TEXT;
ALTER TABLE repositories ADD COLUMN pulls_read_rules TEXT;
