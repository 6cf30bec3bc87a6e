package store

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// scopeJobArgs are a job naming its repository as a learn job does.
type scopeJobArgs struct {
	Repo string `json:"repo"`
}

func (scopeJobArgs) Kind() string { return "scope_test" }

// TestReadsKeepToTheirScope stores rows of three repositories and reads
// them through every scoped read: a scope returns its repositories' rows
// (names compared without case) and never another's; the zero scope
// returns nothing; only AllRepos counts a delivery of no repository.
func TestReadsKeepToTheirScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		at := time.Date(2026, 3, 4, 10, 5, 0, 0, time.UTC)
		repos := []string{"Acme/Open", "acme/secret", "other/thing"}
		if err := db.UpsertInstallation(ctx, Installation{ID: 1, Account: "acme"}); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateRiver(ctx, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		river, err := river.NewClient(db.RiverDriver(), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		for i, repo := range repos {
			insertDelivery(t, db, "d-"+repo, at, DeliveryDone)
			if _, err := db.SQL().Exec(`UPDATE deliveries SET repo = ? WHERE delivery_id = ?`, repo, "d-"+repo); err != nil {
				t.Fatal(err)
			}
			if err := db.SavePredictions(ctx, []BotPrediction{{Repo: repo, SHA: "s", Source: "model"}}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddCorrection(ctx, Correction{Repo: repo, SHAs: []string{"s"}, PullNumber: i + 1, Label: "fix",
				Action: CorrectionAdded, Sender: "maint", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
			if _, err := river.Insert(ctx, scopeJobArgs{Repo: repo}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.ReplaceInstallationRepositories(ctx, 1, []InstallationRepository{{InstallationID: 1, FullName: "acme/installed-only"}}); err != nil {
			t.Fatal(err)
		}
		insertDelivery(t, db, "installation", at, DeliveryDone) // then given no repository
		if _, err := db.SQL().Exec(`UPDATE deliveries SET repo = '' WHERE delivery_id = 'installation'`); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct {
			name       string
			scope      RepoScope
			want       []string
			deliveries int
		}{
			{"every repository", AllRepos, []string{"Acme/Open", "acme/secret", "other/thing"}, 4},
			{"one, named in another case", OnlyRepos("acme/open"), []string{"Acme/Open"}, 1},
			{"two", OnlyRepos("ACME/SECRET", "other/thing", "acme/secret"), []string{"acme/secret", "other/thing"}, 2},
			{"a repository without rows", OnlyRepos("nobody/here"), nil, 0},
			{"the zero scope", RepoScope{}, nil, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				hourly, err := db.DeliveriesPerHour(ctx, tc.scope, at.Add(-time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, h := range hourly {
					n += h.Total()
				}
				if n != tc.deliveries {
					t.Errorf("DeliveriesPerHour counts %d deliveries, want %d", n, tc.deliveries)
				}
				preds, err := db.RecentPredictions(ctx, tc.scope, 10, 10)
				if err != nil {
					t.Fatal(err)
				}
				corrections, err := db.RecentCorrections(ctx, tc.scope, 10)
				if err != nil {
					t.Fatal(err)
				}
				served, err := db.RepositoriesServed(ctx, tc.scope)
				if err != nil {
					t.Fatal(err)
				}
				jobs, err := db.RiverJobs(ctx, scopeJobArgs{}.Kind(), tc.scope, 10)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string][]string{}
				for _, p := range preds {
					got["predictions"] = append(got["predictions"], p.Repo)
				}
				for _, c := range corrections {
					got["corrections"] = append(got["corrections"], c.Repo)
				}
				for _, s := range served {
					if s.Repo != "acme/installed-only" {
						got["served"] = append(got["served"], s.Repo)
					}
				}
				for _, j := range jobs {
					var args scopeJobArgs
					if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
						t.Fatal(err)
					}
					got["jobs"] = append(got["jobs"], args.Repo)
				}
				for _, read := range []string{"predictions", "corrections", "served", "jobs"} {
					repos := got[read]
					slices.Sort(repos)
					if !slices.Equal(repos, tc.want) {
						t.Errorf("%s: %v, want %v", read, repos, tc.want)
					}
				}
				if installedOnly := slices.ContainsFunc(served, func(s RepositoryServing) bool { return s.Repo == "acme/installed-only" }); installedOnly != tc.scope.Contains("acme/installed-only") {
					t.Errorf("served lists acme/installed-only: %t, in scope: %t", installedOnly, tc.scope.Contains("acme/installed-only"))
				}
			})
		}
	})
}
