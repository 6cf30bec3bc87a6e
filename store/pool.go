package store

// SizePool sizes the connection pool of a process whose queue runs
// workers jobs at once beside its intake.
func (db *DB) SizePool(workers int) {
	if db.dialect.engine == SQLite {
		// One connection for the server, its queue and its handlers:
		// SQLite has one writer, and writers that find it busy sleep 1 to
		// 100 ms in SQLite's busy handler, while waiting for the pool's one
		// connection is a channel receive. Many workers otherwise starve the
		// intake (500 deliveries/s offered gave 100 accepted, p50 16 s,
		// against 494 and 0.16 s).
		db.sql.SetMaxOpenConns(1)
		return
	}
	// PostgreSQL takes writers side by side: a connection per worker,
	// and some for the intake, River's producer and its maintenance.
	db.sql.SetMaxOpenConns(workers + 8)
}
