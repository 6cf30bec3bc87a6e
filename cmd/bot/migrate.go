package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"

	"github.com/commit-labeler/commit-labeler/delivery"
	"github.com/commit-labeler/commit-labeler/store"
)

// runMigrate is `bot migrate --from FILE --to URL`: an installation's
// state moved from its SQLite file to PostgreSQL, in one transaction of
// the destination, with the deliveries still queued enqueued there.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bot migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: bot migrate --from FILE --to postgres://…\n\n"+
			"Copies a bot's SQLite database (deliveries, labels it owns, corrections, installations,\n"+
			"repository models, the corpus and runs) into an empty PostgreSQL database, and queues\n"+
			"there the deliveries not handled yet. Stop the bot first.\n\n")
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "the SQLite file of the bot (--db of a SQLite bot)")
	to := fs.String("to", "", "the PostgreSQL database to fill, postgres://… (empty of the store's rows)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "bot migrate: --from FILE and --to URL are both needed")
		return exitUsage
	}
	switch _, err := store.LocalFile(*from); {
	case errors.Is(err, store.ErrNotLocalFile):
		fmt.Fprintf(stderr, "bot migrate: --from %s: want a SQLite file\n", *from)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "bot migrate: --from: %v\n", err)
		return exitUsage
	}
	if err := migrate(ctx, *from, *to, stdout); err != nil {
		fmt.Fprintf(stderr, "bot migrate: %v\n", err)
		return exitFailure
	}
	return 0
}

func migrate(ctx context.Context, from, to string, stdout io.Writer) error {
	src, err := store.Open(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.OpenShared(ctx, to)
	if errors.Is(err, store.ErrNotShared) {
		return fmt.Errorf("--to %s: want a postgres:// URL", to)
	}
	if err != nil {
		return err
	}
	defer dst.Close()
	if err := dst.MigrateRiver(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	copied, err := src.CopyTo(ctx, dst)
	if err != nil {
		return err
	}
	queued, err := dst.QueuedDeliveries(ctx)
	if err != nil {
		return err
	}
	if err := delivery.EnqueueDeliveries(ctx, dst, queued); err != nil {
		return fmt.Errorf("%w (the rows are copied: rerun on an empty database, or let GitHub redeliver)", err)
	}
	for _, table := range slices.Sorted(maps.Keys(copied)) {
		fmt.Fprintf(stdout, "%-26s %d rows\n", table, copied[table])
	}
	fmt.Fprintf(stdout, "%d deliveries queued again on %s\n", len(queued), dst.Path())
	return nil
}
