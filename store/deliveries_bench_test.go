package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDelivery reads a queued delivery back, as each job does first,
// from a store holding 10,000 deliveries of 30 kB.
func BenchmarkDelivery(b *testing.B) {
	for _, e := range testEngines {
		b.Run(e.name, func(b *testing.B) { benchmarkDelivery(b, e.open(b)) })
	}
}

func benchmarkDelivery(b *testing.B, db *DB) {
	ctx := context.Background()
	payload := []byte(`{"items":[` + strings.Repeat(`{"url":"https://api.github.com/repos/o/r/pulls/1","n":12345},`, 500) + `{}]}`)
	const n = 10000
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			if _, err := InsertDeliveryTx(ctx, tx, Delivery{ID: fmt.Sprintf("guid-%d", i), Event: "pull_request", Payload: payload}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := db.Delivery(ctx, fmt.Sprintf("guid-%d", i%n)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
