-- The bot's state per pull request: its head and commits, so that a label
-- event can be recorded as a correction of those commits.
CREATE TABLE bot_pull_requests (
    repo        TEXT COLLATE "C" NOT NULL,            -- owner/name
    number      BIGINT NOT NULL,
    head_sha    TEXT COLLATE "C" NOT NULL,
    commit_shas TEXT COLLATE "C" NOT NULL DEFAULT '[]', -- JSON array, oldest first
    updated_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repo, number)
);

-- Who owns each vocabulary label of a pull request: the bot applied it, or a
-- human added or removed it. The bot removes only its own labels and never
-- re-adds one a human removed.
CREATE TABLE bot_pull_labels (
    repo         TEXT COLLATE "C" NOT NULL,
    number       BIGINT NOT NULL,
    label        TEXT COLLATE "C" NOT NULL,   -- vocabulary name, e.g. "fix"
    github_label TEXT COLLATE "C" NOT NULL,   -- the name on GitHub, e.g. "bug"
    state        TEXT COLLATE "C" NOT NULL CHECK (state IN ('bot_applied', 'human_added', 'human_removed')),
    sender       TEXT COLLATE "C" NOT NULL DEFAULT '',
    delivery_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repo, number, label)
);

-- Predictions the bot made, per pull request head (pull_number > 0) or per
-- pushed commit (pull_number = 0). A redelivery replaces its row.
CREATE TABLE bot_predictions (
    repo        TEXT COLLATE "C" NOT NULL,
    pull_number BIGINT NOT NULL DEFAULT 0,
    sha         TEXT COLLATE "C" NOT NULL,
    source      TEXT COLLATE "C" NOT NULL,
    labels      TEXT COLLATE "C" NOT NULL,   -- JSON array of vocabulary names applied
    prediction  TEXT COLLATE "C" NOT NULL,   -- JSON classify.Prediction
    delivery_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repo, pull_number, sha)
);

-- The repository configuration file as last read from the default branch.
CREATE TABLE bot_repo_configs (
    repo       TEXT COLLATE "C" PRIMARY KEY,
    found      BIGINT NOT NULL,   -- 0 when the file does not exist
    blob_sha   TEXT COLLATE "C" NOT NULL DEFAULT '',
    content    TEXT COLLATE "C" NOT NULL DEFAULT '',
    fetched_at TEXT COLLATE "C" NOT NULL
);
