package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DeliveryStatus is where a webhook delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	// DeliveryQueued: stored, its job not finished yet.
	DeliveryQueued DeliveryStatus = "queued"
	// DeliveryDone: every handler succeeded.
	DeliveryDone DeliveryStatus = "done"
	// DeliveryFailed: a handler failed permanently or the job ran out of attempts.
	DeliveryFailed DeliveryStatus = "failed"
)

// Delivery is one webhook delivery the bot accepted.
type Delivery struct {
	// ID is the X-GitHub-Delivery GUID.
	ID     string
	Event  string
	Action string
	// InstallationID is 0 when the payload names no installation.
	InstallationID int64
	// Repo is owner/name, empty when the event concerns no repository.
	Repo       string
	ReceivedAt time.Time
	Payload    []byte
	Status     DeliveryStatus
	// Error is the last handler error of a failed delivery.
	Error string
	// packed is Payload compressed by Pack.
	packed []byte
}

// ErrDeliveryNotFound is returned for an unknown delivery id.
var ErrDeliveryNotFound = errors.New("store: delivery not found")

// InsertDeliveryTx stores d in tx unless a delivery with its ID exists. It
// reports whether the row is new, so that a redelivered GUID is not acted on
// twice. ReceivedAt defaults to now.
func InsertDeliveryTx(ctx context.Context, tx *sql.Tx, d Delivery) (bool, error) {
	var inst sql.NullInt64
	if d.InstallationID != 0 {
		inst = sql.NullInt64{Int64: d.InstallationID, Valid: true}
	}
	// RETURNING gives the new row's id in the insert's own round trip (on
	// PostgreSQL a LastInsertId would cost another); no row is a known GUID.
	var row int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO deliveries (delivery_id, event, action, installation_id, repo, received_at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (delivery_id) DO NOTHING
		RETURNING id`,
		d.ID, d.Event, d.Action, inst, d.Repo, d.receivedAt(), DeliveryQueued).Scan(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: insert delivery %s (%s): %w", d.ID, d.Event, err)
	}
	d.Pack()
	if _, err = tx.ExecContext(ctx, `INSERT INTO delivery_payloads (delivery, encoding, payload) VALUES (?, ?, ?)`,
		row, payloadS2, d.packed); err != nil {
		return false, fmt.Errorf("store: insert delivery %s payload: %w", d.ID, err)
	}
	return true, nil
}

// Delivery returns the stored delivery with the GUID id.
func (db *DB) Delivery(ctx context.Context, id string) (Delivery, error) {
	d := Delivery{ID: id}
	var inst sql.NullInt64
	var received, encoding string
	var stored []byte
	err := db.reads.QueryRowContext(ctx, `
		SELECT d.event, d.action, d.installation_id, d.repo, d.received_at, p.encoding, p.payload, d.status, d.error
		FROM deliveries d JOIN delivery_payloads p ON p.delivery = d.id WHERE d.delivery_id = ?`, id).
		Scan(&d.Event, &d.Action, &inst, &d.Repo, &received, &encoding, &stored, &d.Status, &d.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("%w: %s", ErrDeliveryNotFound, id)
	}
	if err != nil {
		return d, fmt.Errorf("store: delivery %s: %w", id, err)
	}
	d.InstallationID = inst.Int64
	if d.Payload, err = unpack(encoding, stored); err != nil {
		return d, fmt.Errorf("store: delivery %s: %w", id, err)
	}
	if d.ReceivedAt, err = time.Parse(time.RFC3339Nano, received); err != nil {
		return d, fmt.Errorf("store: delivery %s: received_at %q: %w", id, received, err)
	}
	return d, nil
}

// FinishDelivery records the outcome of a delivery's job: DeliveryDone, or
// DeliveryFailed with the error that ended it.
func (db *DB) FinishDelivery(ctx context.Context, id string, status DeliveryStatus, cause error) error {
	msg := ""
	if cause != nil {
		msg = cause.Error()
	}
	res, err := db.exec(ctx, `
		UPDATE deliveries SET status = ?, error = ?, finished_at = ? WHERE delivery_id = ?`,
		status, msg, now(), id)
	if err != nil {
		return fmt.Errorf("store: finish delivery %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ErrDeliveryNotFound, id)
	}
	return nil
}

// KnownDeliveries returns which of the GUIDs ids are stored.
func (db *DB) KnownDeliveries(ctx context.Context, ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ids))
	stmt, err := db.sql.PrepareContext(ctx, `SELECT 1 FROM deliveries WHERE delivery_id = ?`)
	if err != nil {
		return nil, fmt.Errorf("store: known deliveries: %w", err)
	}
	defer stmt.Close()
	for _, id := range ids {
		var one int
		switch err := stmt.QueryRowContext(ctx, id).Scan(&one); {
		case err == nil:
			known[id] = true
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("store: known delivery %s: %w", id, err)
		}
	}
	return known, nil
}

// DeliveryCounts returns the number of stored deliveries by status.
func (db *DB) DeliveryCounts(ctx context.Context) (map[DeliveryStatus]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT status, count(*) FROM deliveries GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: delivery counts: %w", err)
	}
	defer rows.Close()
	counts := map[DeliveryStatus]int{}
	for rows.Next() {
		var s DeliveryStatus
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: delivery counts: %w", err)
		}
		counts[s] = n
	}
	return counts, rows.Err()
}
