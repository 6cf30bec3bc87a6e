-- Webhook deliveries the bot accepted, one row per X-GitHub-Delivery GUID
-- (a GitHub delivery and its redeliveries share it), stored before GitHub
-- gets its 2xx so that none is lost to a crash.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    delivery_id     TEXT NOT NULL UNIQUE,   -- X-GitHub-Delivery
    event           TEXT NOT NULL,          -- X-GitHub-Event
    action          TEXT NOT NULL DEFAULT '',
    installation_id INTEGER,
    repo            TEXT NOT NULL DEFAULT '', -- owner/name, when the event has one
    received_at     TEXT NOT NULL,
    payload         BLOB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued', -- queued, done, failed
    error           TEXT NOT NULL DEFAULT '',
    finished_at     TEXT
);
CREATE INDEX deliveries_received_at ON deliveries(received_at);
