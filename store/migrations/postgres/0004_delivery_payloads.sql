-- A delivery's payload moves to a row of its own, compressed, as on SQLite
-- (see migrations/0004_delivery_payloads.sql): finishing a delivery then
-- does not copy its payload into a new row version. encoding is how
-- payload is stored: '' as received, 's2' an S2 block (see store/payload.go).
CREATE TABLE delivery_payloads (
    delivery BIGINT PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
    encoding TEXT COLLATE "C" NOT NULL DEFAULT '' CHECK (encoding IN ('', 's2')),
    payload  BYTEA NOT NULL
);
INSERT INTO delivery_payloads (delivery, payload) SELECT id, payload FROM deliveries;
ALTER TABLE deliveries DROP COLUMN payload;
