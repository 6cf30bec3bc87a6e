package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// copiedTables are the store's tables in CopyTo's order, parents before
// the tables that reference them.
var copiedTables = []string{
	"repositories", "commits", "commit_files", "samples", "duplicates", "features", "commit_labels", "labelings",
	"corrections", "installations", "installation_repositories", "workers", "runs",
	"deliveries", "delivery_payloads", "bot_pull_requests", "bot_pull_labels", "bot_predictions", "bot_repo_configs",
	"repository_models",
}

// identityTables are the tables whose id the database assigns: after a
// copy into PostgreSQL their sequences continue after the copied ids.
var identityTables = []string{"repositories", "commits", "corrections", "runs", "deliveries", "repository_models"}

// CopyTo copies every row of the store's tables into dst, a database of
// either engine that holds none of the store's rows, in one transaction
// of dst: every row or none. River's tables are not copied (their columns
// differ by engine): QueuedDeliveries lists what to enqueue again.
// It returns the rows copied per table.
func (db *DB) CopyTo(ctx context.Context, dst *DB) (map[string]int, error) {
	var present int
	if err := dst.sql.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM commits)`).Scan(&present); err != nil {
		return nil, fmt.Errorf("store: copy to %s %s: %w", dst.dialect.engine, dst.path, err)
	}
	if present > 0 {
		return nil, fmt.Errorf("store: copy to %s %s: it already holds %d deliveries and commits; copy into an empty database", dst.dialect.engine, dst.path, present)
	}
	copied := map[string]int{}
	err := dst.Tx(ctx, func(tx *sql.Tx) error {
		for _, table := range copiedTables {
			n, err := db.copyTable(ctx, tx, table)
			if err != nil {
				return fmt.Errorf("table %s: %w", table, err)
			}
			copied[table] = n
		}
		if dst.dialect.engine != PostgreSQL {
			return nil
		}
		for _, table := range identityTables {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(
				`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM %s`, table, table)); err != nil {
				return fmt.Errorf("table %s: identity: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: copy %s %s to %s %s: %w", db.dialect.engine, db.path, dst.dialect.engine, dst.path, err)
	}
	return copied, nil
}

// copyTable inserts every row of table into tx, column by column as read.
func (db *DB) copyTable(ctx context.Context, tx *sql.Tx, table string) (int, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
	}
	insert, err := tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)",
		table, strings.Join(quoted, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")))
	if err != nil {
		return 0, err
	}
	defer insert.Close()
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if _, err := insert.ExecContext(ctx, values...); err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	return n, rows.Err()
}

// QueuedDeliveries lists the deliveries received and not yet handled
// (status queued), oldest first.
func (db *DB) QueuedDeliveries(ctx context.Context) ([]Delivery, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT delivery_id, event FROM deliveries WHERE status = ? ORDER BY id`, DeliveryQueued)
	if err != nil {
		return nil, fmt.Errorf("store: queued deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d := Delivery{Status: DeliveryQueued}
		if err := rows.Scan(&d.ID, &d.Event); err != nil {
			return nil, fmt.Errorf("store: queued deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
