package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DeliveryJob is the River job each new delivery of a batch gets.
type DeliveryJob struct {
	Kind        string
	MaxAttempts int
	// Args returns the job's args for d: a JSON object.
	Args func(d *Delivery) ([]byte, error)
}

// errNotPostgreSQL refuses StoreDeliveriesWithJobs on SQLite.
var errNotPostgreSQL = errors.New("store: one-statement delivery batches are PostgreSQL's")

// StoreDeliveryBatch stores ds on conn, each unless a delivery with its
// ID exists (stored earlier, or earlier in ds), with a River job for each
// new one, all or none, and reports which are new, in ds's order. On
// PostgreSQL it is one statement, StoreDeliveriesWithJobs, which writes
// the jobs job describes. On SQLite, whose statements cost no round trip,
// it is a transaction of InsertDeliveryTx per delivery and insertJobs,
// given the new deliveries, which inserts their jobs in tx through River
// (InsertManyFastTx).
func (db *DB) StoreDeliveryBatch(ctx context.Context, conn *sql.Conn, ds []Delivery, job DeliveryJob,
	insertJobs func(ctx context.Context, tx *sql.Tx, fresh []Delivery) error) ([]bool, error) {
	if db.dialect.engine == PostgreSQL {
		return db.StoreDeliveriesWithJobs(ctx, conn, ds, job)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: %s: begin: %w", db.path, err)
	}
	defer tx.Rollback()
	fresh := make([]bool, len(ds))
	var added []Delivery
	for i, d := range ds {
		if fresh[i], err = InsertDeliveryTx(ctx, tx, d); err != nil {
			return nil, err
		}
		if fresh[i] {
			added = append(added, d)
		}
	}
	if err := insertJobs(ctx, tx, added); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: %s: commit: %w", db.path, err)
	}
	return fresh, nil
}

// StoreDeliveriesWithJobs stores ds on conn, each unless a delivery with
// its ID exists (stored earlier, or earlier in ds), with the River job
// job describes for each new one, and reports which are new, in ds's
// order. It is PostgreSQL's intake: one statement, committed by itself
// before it returns, so that a batch costs one round trip to the server.
// A transaction of InsertDeliveryTx per delivery and River's
// InsertManyFastTx costs two round trips a delivery and four a batch
// (begin, the jobs, River's NOTIFY, commit), and the intake's writer waits
// after each for a CPU, behind the requests that arrive meanwhile. On
// SQLite, whose statements cost no round trip, the intake keeps that
// transaction.
//
// The jobs are written to River's job table as River's own clients in
// other languages write them (the table is River's contract between
// them): args, kind and attempts, everything else its defaults (the
// default queue, priority 1, available now); the NOTIFY River's clients
// LISTEN for goes with them.
func (db *DB) StoreDeliveriesWithJobs(ctx context.Context, conn *sql.Conn, ds []Delivery, job DeliveryJob) (fresh []bool, err error) {
	if db.dialect.engine != PostgreSQL {
		return nil, errNotPostgreSQL
	}
	fresh = make([]bool, len(ds))
	if len(ds) == 0 {
		return fresh, nil
	}
	// A GUID twice in ds is stored once, by its first: the statement joins
	// the new rows to the batch by GUID.
	first := make(map[string]int, len(ds))
	var cols deliveryColumns
	for i := range ds {
		if _, seen := first[ds[i].ID]; seen {
			continue
		}
		first[ds[i].ID] = i
		args, err := job.Args(&ds[i])
		if err != nil {
			return nil, fmt.Errorf("store: job of delivery %s: %w", ds[i].ID, err)
		}
		cols.add(&ds[i], args)
	}
	rows, err := conn.QueryContext(ctx, storeDeliveriesSQL,
		cols.ids, cols.events, cols.actions, cols.installations, cols.repos, cols.received, cols.payloads, cols.jobArgs,
		DeliveryQueued, payloadS2, job.Kind, job.MaxAttempts)
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
	// The statement's transaction ends with its last message: an error
	// up to its commit is the rows'.
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: insert %d deliveries: %w", len(cols.ids), err)
	}
	return fresh, nil
}

// storeDeliveriesSQL stores a batch of deliveries (one array per column),
// the payloads and River jobs of those whose GUID is new, notifies River's
// clients of the jobs (the topic River's notifier listens on, prefixed with
// the schema as River prefixes it), and returns the new GUIDs.
// installation_id 0 is none, as in Delivery.
const storeDeliveriesSQL = `
	WITH batch AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bytea[], $8::jsonb[])
			WITH ORDINALITY AS b (delivery_id, event, action, installation_id, repo, received_at, payload, job_args, n)
	), stored AS (
		INSERT INTO deliveries (delivery_id, event, action, installation_id, repo, received_at, status)
		SELECT delivery_id, event, action, NULLIF(installation_id, 0), repo, received_at, $9 FROM batch ORDER BY n
		ON CONFLICT (delivery_id) DO NOTHING
		RETURNING id, delivery_id
	), payloads AS (
		INSERT INTO delivery_payloads (delivery, encoding, payload)
		SELECT stored.id, $10, batch.payload FROM stored JOIN batch USING (delivery_id)
	), jobs AS (
		INSERT INTO river_job (args, kind, max_attempts)
		SELECT batch.job_args, $11, $12 FROM stored JOIN batch USING (delivery_id) ORDER BY batch.n
		RETURNING queue
	), notified AS (
		SELECT pg_notify(current_schema() || '.river_insert', json_build_object('queue', queue)::text)
		FROM (SELECT DISTINCT queue FROM jobs) queues
	)
	SELECT delivery_id FROM stored, (SELECT count(*) FROM notified) notifications`

// deliveryColumns are a batch of deliveries column by column, the
// arguments of storeDeliveriesSQL.
type deliveryColumns struct {
	ids, events, actions, repos, received, jobArgs []string
	installations                                  []int64
	payloads                                       [][]byte
}

// add appends d, packing its payload, with its job's args.
func (c *deliveryColumns) add(d *Delivery, jobArgs []byte) {
	d.Pack()
	c.ids = append(c.ids, d.ID)
	c.events = append(c.events, d.Event)
	c.actions = append(c.actions, d.Action)
	c.installations = append(c.installations, d.InstallationID)
	c.repos = append(c.repos, d.Repo)
	c.received = append(c.received, d.receivedAt())
	c.payloads = append(c.payloads, d.packed)
	c.jobArgs = append(c.jobArgs, string(jobArgs))
}

// receivedAt is d's ReceivedAt as stored: now when unset.
func (d *Delivery) receivedAt() string {
	received := d.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	return received.UTC().Format(time.RFC3339Nano)
}
