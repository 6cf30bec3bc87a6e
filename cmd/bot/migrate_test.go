package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/pgtest"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestMigrateToPostgreSQL moves a SQLite bot's file, holding a pull
// request delivery it had not handled yet, to PostgreSQL with `bot
// migrate`; a bot started on PostgreSQL then labels that pull request.
func TestMigrateToPostgreSQL(t *testing.T) {
	if err := classify.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime absent, run scripts/setup.sh: %v", err)
	}
	url := pgtest.NewDatabase(t)
	payload := exampleEvent(t, "pull_request", "opened", withTitle("docs: say hello"))
	dir := t.TempDir()
	file := filepath.Join(dir, "bot.db")
	src, err := store.Open(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	err = src.Tx(t.Context(), func(tx *sql.Tx) error {
		_, err := store.InsertDeliveryTx(t.Context(), tx, store.Delivery{ID: "guid-queued", Event: "pull_request", Action: "opened",
			Repo: "Codertocat/Hello-World", ReceivedAt: time.Now(), Payload: payload})
		return err
	})
	src.Close()
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--from", file, "--to", url}, &stdout, &stderr); code != 0 {
		t.Fatalf("bot migrate: exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{"deliveries                 1 rows", "delivery_payloads          1 rows", "1 deliveries queued again"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("bot migrate printed no %q:\n%s", want, stdout.String())
		}
	}
	if code := run(context.Background(), []string{"migrate", "--from", file, "--to", url}, &stdout, &stderr); code != exitFailure ||
		!strings.Contains(stderr.String(), "copy into an empty database") {
		t.Errorf("a second migrate into the same database: exit %d\n%s", code, stderr.String())
	}

	fake := fakegithub.New(t)
	fake.AddInstallation(fakegithub.NewInstallation(1, "Codertocat", "User"))
	addedLabels := recordAddedLabels(fake)
	bot := startBotProcess(t, botEnv(t, fake, dir, "s3cret"), "--addr", "127.0.0.1:0", "--db", url, "--redeliver-interval", "0")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if slices.Contains(addedLabels(), "type: docs") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the migrated delivery was not handled within 30 s\n%s", bot.output())
		}
	}
}
