-- Learning workers (train worker) and their heartbeats: a worker writes
-- seen_at every heartbeat_ms while it runs and stopped_at when it stops;
-- one whose seen_at is older than store.StaleHeartbeats heartbeats died. A learn
-- job waiting with no live worker, or a run whose worker died, is shown
-- as such rather than as queued or running forever.
CREATE TABLE workers (
    id         TEXT COLLATE "C" PRIMARY KEY,   -- also the worker's River client id
    host       TEXT COLLATE "C" NOT NULL,
    pid        BIGINT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    heartbeat_ms BIGINT NOT NULL,
    seen_at    TEXT COLLATE "C" NOT NULL,
    stopped_at TEXT COLLATE "C"
);
-- The worker whose phase a run is ('' for a command line's run).
ALTER TABLE runs ADD COLUMN worker TEXT COLLATE "C" NOT NULL DEFAULT '';
-- What a repository model was learned from (store.RepositoryModel.Inputs):
-- a learn whose inputs equal the newest version's publishes nothing.
ALTER TABLE repository_models ADD COLUMN inputs TEXT COLLATE "C" NOT NULL DEFAULT '';
