-- Learning workers (train worker) and their heartbeats: a worker writes
-- seen_at every heartbeat_ms while it runs and stopped_at when it stops;
-- one whose seen_at is older than store.StaleHeartbeats heartbeats died. A learn
-- job waiting with no live worker, or a run whose worker died, is shown
-- as such rather than as queued or running forever.
CREATE TABLE workers (
    id         TEXT PRIMARY KEY,   -- also the worker's River client id
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_ms INTEGER NOT NULL,
    seen_at    TEXT NOT NULL,
    stopped_at TEXT
);
-- The worker whose phase a run is ('' for a command line's run).
ALTER TABLE runs ADD COLUMN worker TEXT NOT NULL DEFAULT '';
-- What a repository model was learned from (store.RepositoryModel.Inputs):
-- a learn whose inputs equal the newest version's publishes nothing.
ALTER TABLE repository_models ADD COLUMN inputs TEXT NOT NULL DEFAULT '';
