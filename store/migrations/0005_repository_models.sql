-- Each repository's learned models, version by version (the learning
-- worker publishes them; every bot process serves the newest accepted
-- one). files is the model directory as a gzip-compressed tar (empty for
-- a rejected model); report is the learning's JSON (classify.Learned),
-- which says why a model was rejected.
CREATE TABLE repository_models (
    id         INTEGER PRIMARY KEY,
    repo       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    accepted   INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    commits    INTEGER NOT NULL,
    report     TEXT NOT NULL,
    files      BLOB NOT NULL,
    UNIQUE (repo, version)
);
