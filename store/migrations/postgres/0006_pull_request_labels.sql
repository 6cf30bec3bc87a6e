-- A fourth label source: pull_request, the labels a repository's merged
-- pull requests carry (mapped through its label mapping) or their title's
-- Conventional Commits header, given to the commit each merge made.
-- PostgreSQL replaces the CHECK in place (SQLite rebuilds the table).
ALTER TABLE commit_labels DROP CONSTRAINT commit_labels_source_check;
ALTER TABLE commit_labels ADD CONSTRAINT commit_labels_source_check
    CHECK (source IN ('human', 'pull_request', 'conventional', 'ollama'));
