-- Repositories the pipeline reads, by their stable name (owner/name for GitHub).
CREATE TABLE repositories (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    url             TEXT NOT NULL DEFAULT '',   -- clone source, never with credentials
    installation_id INTEGER,                    -- GitHub App installation, when known
    clone_path      TEXT NOT NULL DEFAULT '',
    head            TEXT NOT NULL DEFAULT '',
    fetched_at      TEXT
);

-- Non-merge commits with their message and a truncated diff.
CREATE TABLE commits (
    id            INTEGER PRIMARY KEY,
    repo_id       INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    sha           TEXT NOT NULL,
    authored_at   TEXT NOT NULL,    -- ISO 8601 with the author's UTC offset
    authored_unix INTEGER NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    files_changed INTEGER NOT NULL,
    additions     INTEGER NOT NULL,
    deletions     INTEGER NOT NULL,
    diff          TEXT NOT NULL,
    patch_id      TEXT NOT NULL DEFAULT '',  -- hash of the full patch, for duplicate detection
    author_is_bot INTEGER NOT NULL DEFAULT 0,
    UNIQUE (repo_id, sha)
);
CREATE INDEX commits_patch_id ON commits(patch_id) WHERE patch_id <> '';
CREATE INDEX commits_repo_time ON commits(repo_id, authored_unix);

-- The first files of a commit in git's order, with exact line counts.
CREATE TABLE commit_files (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    path      TEXT NOT NULL,
    old_path  TEXT NOT NULL DEFAULT '',
    status    TEXT NOT NULL CHECK (status IN ('A', 'M', 'D', 'R', 'C', 'T')),
    additions INTEGER NOT NULL,
    deletions INTEGER NOT NULL,
    binary    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commit_id, position)
) WITHOUT ROWID;

-- The stride sample: the commits the paid labeler sees.
CREATE TABLE samples (
    commit_id INTEGER PRIMARY KEY REFERENCES commits(id) ON DELETE CASCADE,
    year      INTEGER NOT NULL
);

-- Commits whose patch duplicates an earlier commit (forks, cherry-picks).
CREATE TABLE duplicates (
    commit_id    INTEGER PRIMARY KEY REFERENCES commits(id) ON DELETE CASCADE,
    duplicate_of INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE
);

-- Per-commit features built by classify (one code path with serving).
CREATE TABLE features (
    commit_id INTEGER PRIMARY KEY REFERENCES commits(id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    data      TEXT NOT NULL
);

-- Labels from every source. rank 0 is the source's primary label.
CREATE TABLE commit_labels (
    commit_id       INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    source          TEXT NOT NULL CHECK (source IN ('human', 'conventional', 'ollama')),
    label           TEXT NOT NULL,
    rank            INTEGER NOT NULL,
    confidence      REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    reason          TEXT NOT NULL DEFAULT '',
    labeler_version TEXT NOT NULL,
    PRIMARY KEY (commit_id, source, label)
);
CREATE INDEX commit_labels_source ON commit_labels(source, commit_id);

-- Which labeler has finished which commit (also when it found no label), so
-- labeling resumes per commit.
CREATE TABLE labelings (
    commit_id       INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    labeler_version TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('labeled', 'none')),
    PRIMARY KEY (commit_id, source)
);

-- Maintainers' corrections, recorded by the bot per commit of a pull request.
CREATE TABLE corrections (
    id          INTEGER PRIMARY KEY,
    repo        TEXT NOT NULL,
    sha         TEXT NOT NULL,
    pull_number INTEGER NOT NULL DEFAULT 0,
    label       TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('added', 'removed')),
    sender      TEXT NOT NULL DEFAULT '',
    delivery_id TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX corrections_commit ON corrections(repo, sha);

-- GitHub App installations and their repositories, kept by the bot and by
-- `train clone --installations`.
CREATE TABLE installations (
    id           INTEGER PRIMARY KEY,
    account      TEXT NOT NULL,
    account_type TEXT NOT NULL DEFAULT '',
    suspended    INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE TABLE installation_repositories (
    installation_id INTEGER NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
    full_name       TEXT NOT NULL,
    private         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (installation_id, full_name)
);

-- Every phase run: parameters, counts, duration, status and error.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    phase       TEXT NOT NULL,
    params      TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'cancelled')),
    counts      TEXT NOT NULL DEFAULT '{}',
    error       TEXT NOT NULL DEFAULT ''
);
