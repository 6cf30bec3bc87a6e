-- A fourth label source: pull_request, the labels a repository's merged
-- pull requests carry (mapped through its label mapping) or their title's
-- Conventional Commits header, given to the commit each merge made. SQLite
-- cannot change a CHECK constraint in place: the table is rebuilt.
CREATE TABLE commit_labels_new (
    commit_id       INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    source          TEXT NOT NULL CHECK (source IN ('human', 'pull_request', 'conventional', 'ollama')),
    label           TEXT NOT NULL,
    rank            INTEGER NOT NULL,
    confidence      REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    reason          TEXT NOT NULL DEFAULT '',
    labeler_version TEXT NOT NULL,
    PRIMARY KEY (commit_id, source, label)
);
INSERT INTO commit_labels_new SELECT commit_id, source, label, rank, confidence, reason, labeler_version FROM commit_labels;
DROP TABLE commit_labels;
ALTER TABLE commit_labels_new RENAME TO commit_labels;
CREATE INDEX commit_labels_source ON commit_labels(source, commit_id);
