package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestInstallationRepositories(t *testing.T) {
	ctx := context.Background()
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)

		if err := db.ReplaceInstallationRepositories(ctx, 9, []InstallationRepository{{InstallationID: 9, FullName: "x/y"}}); err == nil {
			t.Fatal("repositories of an unknown installation were accepted")
		}
		for _, in := range []Installation{
			{ID: 1, Account: "octo-org", AccountType: "Organization"},
			{ID: 2, Account: "alice", AccountType: "User"},
			{ID: 1, Account: "octo-org", AccountType: "Organization", Suspended: true}, // update
		} {
			if err := db.UpsertInstallation(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			installation int64
			repos        []InstallationRepository
		}{
			{1, []InstallationRepository{{1, "octo-org/a", false}, {1, "octo-org/b", true}}},
			{2, []InstallationRepository{{2, "alice/dots", false}}},
			{1, []InstallationRepository{{1, "octo-org/c", true}}}, // replaces a and b
		}
		for _, s := range steps {
			if err := db.ReplaceInstallationRepositories(ctx, s.installation, s.repos); err != nil {
				t.Fatal(err)
			}
		}
		// A failing replacement changes nothing.
		err := db.ReplaceInstallationRepositories(ctx, 2, []InstallationRepository{{2, "alice/new", false}, {1, "octo-org/d", false}})
		if err == nil || !strings.Contains(err.Error(), "octo-org/d belongs to installation 1") {
			t.Fatalf("err = %v, want a mismatch naming octo-org/d", err)
		}

		got, err := db.InstallationRepositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []InstallationRepository{{1, "octo-org/c", true}, {2, "alice/dots", false}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		var suspended bool
		if err := db.SQL().QueryRowContext(ctx, `SELECT suspended FROM installations WHERE id = 1`).Scan(&suspended); err != nil || !suspended {
			t.Fatalf("installation 1 suspended = %v (%v), want true", suspended, err)
		}
	})
}
