-- A delivery's payload (tens of kB) moves to a row of its own, compressed:
-- SQLite rewrites a whole record on UPDATE, so finishing a delivery
-- rewrote its payload's overflow pages too (about 120 kB of WAL per pull
-- request labeled under load), and the intake's single writer spent its
-- time writing payload pages. encoding is how payload is stored: '' as
-- received, 's2' an S2 block (see store/payload.go).
CREATE TABLE delivery_payloads (
    delivery INTEGER PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
    encoding TEXT NOT NULL DEFAULT '' CHECK (encoding IN ('', 's2')),
    payload  BLOB NOT NULL
);
INSERT INTO delivery_payloads (delivery, payload) SELECT id, payload FROM deliveries;
ALTER TABLE deliveries DROP COLUMN payload;
