package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// InsertDeliveriesTx stores ds in tx, each unless a delivery with its ID
// exists (stored earlier, or earlier in ds), and reports which are new,
// in ds's order. It is InsertDeliveryTx for a batch: on PostgreSQL one
// statement stores every row and payload, as each statement costs a
// round trip to the server, and a batch of 20 deliveries row by row kept
// the intake's one connection waiting for 40 of them; on SQLite, whose
// statements cost no round trip, row by row.
func (db *DB) InsertDeliveriesTx(ctx context.Context, tx *sql.Tx, ds []Delivery) (fresh []bool, err error) {
	fresh = make([]bool, len(ds))
	if db.dialect.engine != PostgreSQL {
		for i, d := range ds {
			if fresh[i], err = InsertDeliveryTx(ctx, tx, d); err != nil {
				return nil, err
			}
		}
		return fresh, nil
	}
	if len(ds) == 0 {
		return fresh, nil
	}
	// A GUID twice in ds is stored once, by its first: the statement's
	// payload insert joins the new rows to ds by GUID.
	first := make(map[string]int, len(ds))
	var cols deliveryColumns
	for i := range ds {
		if _, seen := first[ds[i].ID]; seen {
			continue
		}
		first[ds[i].ID] = i
		cols.add(&ds[i])
	}
	rows, err := tx.QueryContext(ctx, insertDeliveriesSQL,
		cols.ids, cols.events, cols.actions, cols.installations, cols.repos, cols.received, cols.payloads,
		DeliveryQueued, payloadS2)
	if err != nil {
		return nil, fmt.Errorf("store: insert %d deliveries: %w", len(cols.ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: insert %d deliveries: %w", len(cols.ids), err)
		}
		fresh[first[id]] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: insert %d deliveries: %w", len(cols.ids), err)
	}
	return fresh, nil
}

// insertDeliveriesSQL stores a batch of deliveries (one array per column)
// and the payloads of those whose GUID is new, and returns their GUIDs.
// installation_id 0 is none, as in Delivery.
const insertDeliveriesSQL = `
	WITH batch AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bytea[])
			WITH ORDINALITY AS b (delivery_id, event, action, installation_id, repo, received_at, payload, n)
	), stored AS (
		INSERT INTO deliveries (delivery_id, event, action, installation_id, repo, received_at, status)
		SELECT delivery_id, event, action, NULLIF(installation_id, 0), repo, received_at, $8 FROM batch ORDER BY n
		ON CONFLICT (delivery_id) DO NOTHING
		RETURNING id, delivery_id
	), payloads AS (
		INSERT INTO delivery_payloads (delivery, encoding, payload)
		SELECT stored.id, $9, batch.payload FROM stored JOIN batch USING (delivery_id)
	)
	SELECT delivery_id FROM stored`

// deliveryColumns are a batch of deliveries column by column, the
// arguments of insertDeliveriesSQL.
type deliveryColumns struct {
	ids, events, actions, repos, received []string
	installations                         []int64
	payloads                              [][]byte
}

// add appends d, packing its payload.
func (c *deliveryColumns) add(d *Delivery) {
	d.Pack()
	c.ids = append(c.ids, d.ID)
	c.events = append(c.events, d.Event)
	c.actions = append(c.actions, d.Action)
	c.installations = append(c.installations, d.InstallationID)
	c.repos = append(c.repos, d.Repo)
	c.received = append(c.received, d.receivedAt())
	c.payloads = append(c.payloads, d.packed)
}

// receivedAt is d's ReceivedAt as stored: now when unset.
func (d *Delivery) receivedAt() string {
	received := d.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	return received.UTC().Format(time.RFC3339Nano)
}
