package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// insertDelivery stores a delivery received at at, finished with status
// unless it is DeliveryQueued.
func insertDelivery(t *testing.T, db *DB, id string, at time.Time, status DeliveryStatus) {
	t.Helper()
	ctx := context.Background()
	d := Delivery{ID: id, Event: "pull_request", Repo: "o/r", ReceivedAt: at, Payload: []byte(`{}`)}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := InsertDeliveryTx(ctx, tx, d); return err }); err != nil {
		t.Fatal(err)
	}
	if status == DeliveryQueued {
		return
	}
	var cause error
	if status == DeliveryFailed {
		cause = errors.New("GitHub said 422")
	}
	if err := db.FinishDelivery(ctx, id, status, cause); err != nil {
		t.Fatal(err)
	}
}

func TestDeliveriesPerHour(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		hour := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		for _, d := range []struct {
			id     string
			at     time.Time
			status DeliveryStatus
		}{
			{"old", hour.Add(-26 * time.Hour), DeliveryDone},
			{"a", hour.Add(5 * time.Minute), DeliveryDone},
			{"b", hour.Add(59*time.Minute + 59*time.Second + 999*time.Millisecond), DeliveryFailed},
			{"c", hour.Add(time.Hour), DeliveryDone},
			{"d", hour.Add(time.Hour + time.Second), DeliveryDone},
			{"e", hour.Add(3*time.Hour + 30*time.Minute), DeliveryQueued},
		} {
			insertDelivery(t, db, d.id, d.at, d.status)
		}
		for _, tc := range []struct {
			name  string
			since time.Time
			want  []HourlyDeliveries
		}{
			{"the whole day, gaps left out", hour.Add(-2 * time.Hour), []HourlyDeliveries{
				{Hour: hour, Done: 1, Failed: 1},
				{Hour: hour.Add(time.Hour), Done: 2},
				{Hour: hour.Add(3 * time.Hour), Queued: 1},
			}},
			{"since within an hour counts the whole hour", hour.Add(time.Hour + 30*time.Minute), []HourlyDeliveries{
				{Hour: hour.Add(time.Hour), Done: 2},
				{Hour: hour.Add(3 * time.Hour), Queued: 1},
			}},
			{"since in another zone", hour.Add(3 * time.Hour).In(time.FixedZone("UTC+2", 2*3600)), []HourlyDeliveries{
				{Hour: hour.Add(3 * time.Hour), Queued: 1},
			}},
			{"nothing since", hour.Add(5 * time.Hour), nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.DeliveriesPerHour(context.Background(), AllRepos, tc.since)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("DeliveriesPerHour(%v) = %+v, want %+v", tc.since, got, tc.want)
				}
			})
		}
	})
}

// setPredictionTime makes a stored prediction's time at, so that the order
// the test expects does not hang on the clock.
func setPredictionTime(t *testing.T, db *DB, repo, sha string, at time.Time) {
	t.Helper()
	if _, err := db.SQL().Exec(`UPDATE bot_predictions SET created_at = ? WHERE repo = ? AND sha = ?`,
		at.UTC().Format(time.RFC3339Nano), repo, sha); err != nil {
		t.Fatal(err)
	}
}

func TestRecentPredictions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		base := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		saved := []struct {
			repo    string
			sha     string
			pull    int
			model   int
			minutes int
		}{
			{"o/quiet", "q1", 0, 0, 1},
			{"o/busy", "b1", 3, 2, 2},
			{"o/busy", "b2", 0, 2, 5},
			{"o/busy", "b3", 4, 0, 9},
			{"o/late", "l1", 1, 0, 7},
		}
		for _, s := range saved {
			p := BotPrediction{Repo: s.repo, PullNumber: s.pull, SHA: s.sha, Source: "model", Labels: []string{"fix"},
				Detail: []byte(`{"labels":[{"label":"fix","probability":0.9}]}`), DeliveryID: "d-" + s.sha, ModelVersion: s.model}
			if s.pull > 0 {
				err := db.SavePullPrediction(ctx, PullPrediction{Repo: s.repo, Number: s.pull, HeadSHA: s.sha, Prediction: p})
				if err != nil {
					t.Fatal(err)
				}
			} else if err := db.SavePredictions(ctx, []BotPrediction{p}); err != nil {
				t.Fatal(err)
			}
			setPredictionTime(t, db, s.repo, s.sha, base.Add(time.Duration(s.minutes)*time.Minute))
		}
		// A prediction stored before the model was recorded.
		if _, err := db.SQL().Exec(`UPDATE bot_predictions SET model_version = NULL WHERE sha = 'q1'`); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name           string
			repos, perRepo int
			want           []string // repo/sha, in order
		}{
			{"every repository, the most recent first", 10, 10, []string{"o/busy/b3", "o/busy/b2", "o/busy/b1", "o/late/l1", "o/quiet/q1"}},
			{"two per repository", 10, 2, []string{"o/busy/b3", "o/busy/b2", "o/late/l1", "o/quiet/q1"}},
			{"the two most recent repositories", 2, 1, []string{"o/busy/b3", "o/late/l1"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.RecentPredictions(ctx, AllRepos, tc.repos, tc.perRepo)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, p := range got {
					keys = append(keys, p.Repo+"/"+p.SHA)
				}
				if !slices.Equal(keys, tc.want) {
					t.Errorf("RecentPredictions(%d, %d) = %v, want %v", tc.repos, tc.perRepo, keys, tc.want)
				}
			})
		}
		got, err := db.RecentPredictions(ctx, AllRepos, 10, 10)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]BotPrediction{}
		for _, p := range got {
			byKey[p.SHA] = p
		}
		for sha, want := range map[string]int{"b1": 2, "b3": 0, "q1": ModelVersionUnknown} {
			if byKey[sha].ModelVersion != want {
				t.Errorf("prediction %s: model version %d, want %d", sha, byKey[sha].ModelVersion, want)
			}
		}
		if b1 := byKey["b1"]; b1.PullNumber != 3 || !slices.Equal(b1.Labels, []string{"fix"}) || b1.DeliveryID != "d-b1" ||
			!b1.CreatedAt.Equal(base.Add(2*time.Minute)) || string(b1.Detail) != `{"labels":[{"label":"fix","probability":0.9}]}` {
			t.Errorf("prediction b1 read back as %+v", b1)
		}
	})
}

// TestPredictionModelMigration opens a file written before predictions
// recorded their model (schema 6): its predictions read back with the
// model unknown, and new ones record it.
func TestPredictionModelMigration(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db, err := openAfter(t, e, 6, `INSERT INTO bot_predictions (repo, pull_number, sha, source, labels, prediction, created_at)
		VALUES ('o/r', 1, 'old', 'model', '["fix"]', '{}', '2026-03-01T00:00:00Z')`)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := context.Background()
		if err := db.SavePredictions(ctx, []BotPrediction{{Repo: "o/r", SHA: "new", Source: "model", ModelVersion: 3}}); err != nil {
			t.Fatal(err)
		}
		got, err := db.RecentPredictions(ctx, AllRepos, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].SHA != "new" || got[0].ModelVersion != 3 || got[1].SHA != "old" || got[1].ModelVersion != ModelVersionUnknown {
			t.Fatalf("after migration: %+v", got)
		}
	})
}

func TestRecentCorrections(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		base := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		for i, c := range []Correction{
			{Repo: "o/r", SHAs: []string{"a1", "a2"}, PullNumber: 1, Label: "fix", Action: CorrectionRemoved, Sender: "maint", DeliveryID: "d1"},
			{Repo: "o/r", SHAs: []string{"a1", "a2"}, PullNumber: 1, Label: "perf", Action: CorrectionAdded, Sender: "maint", DeliveryID: "d2"},
			{Repo: "o/s", SHAs: []string{"b1"}, PullNumber: 9, Label: "docs", Action: CorrectionAdded, Sender: "other", DeliveryID: "d3"},
		} {
			c.CreatedAt = base.Add(time.Duration(i) * time.Minute)
			if err := db.AddCorrection(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name  string
			limit int
			want  []string // label/action by sender on repo#pull: commits
		}{
			{"every change, newest first, once each", 10, []string{"docs added by other on o/s#9: [b1]", "perf added by maint on o/r#1: [a1 a2]", "fix removed by maint on o/r#1: [a1 a2]"}},
			{"limited", 1, []string{"docs added by other on o/s#9: [b1]"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.RecentCorrections(ctx, AllRepos, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				var lines []string
				for _, c := range got {
					shas := slices.Sorted(slices.Values(c.SHAs))
					lines = append(lines, fmt.Sprintf("%s %s by %s on %s#%d: %v", c.Label, c.Action, c.Sender, c.Repo, c.PullNumber, shas))
				}
				if !slices.Equal(lines, tc.want) {
					t.Errorf("RecentCorrections(%d) = %q, want %q", tc.limit, lines, tc.want)
				}
			})
		}
		got, err := db.RecentCorrections(ctx, AllRepos, 1)
		if err != nil || len(got) != 1 || got[0].DeliveryID != "d3" || !got[0].CreatedAt.Equal(base.Add(2*time.Minute)) {
			t.Errorf("newest correction = %+v, %v", got, err)
		}
	})
}

func TestRepositoriesServed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e testEngine) {
		db := e.open(t)
		ctx := context.Background()
		if err := db.UpsertInstallation(ctx, Installation{ID: 1, Account: "o"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ReplaceInstallationRepositories(ctx, 1, []InstallationRepository{{InstallationID: 1, FullName: "o/installed"}, {InstallationID: 1, FullName: "o/learned"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SavePredictions(ctx, []BotPrediction{{Repo: "o/predicted", SHA: "s", Source: "model"}}); err != nil {
			t.Fatal(err)
		}
		for _, m := range []RepositoryModel{
			{Repo: "o/learned", Accepted: true, Commits: 300, Files: []byte("v1")},
			{Repo: "o/learned", Accepted: false, Commits: 320},
			{Repo: "o/rejected", Accepted: false, Commits: 40},
		} {
			if _, err := db.PublishRepositoryModel(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.RepositoriesServed(ctx, AllRepos)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			repo                   string
			served, servedCommits  int
			latest, latestCommits  int
			latestAccepted, learnt bool
		}
		want := []row{
			{repo: "o/installed"},
			{repo: "o/learned", served: 1, servedCommits: 300, latest: 2, latestCommits: 320, learnt: true},
			{repo: "o/predicted"},
			{repo: "o/rejected", latest: 1, latestCommits: 40, learnt: true},
		}
		var rows []row
		for _, r := range got {
			rows = append(rows, row{repo: r.Repo, served: r.Served.Version, servedCommits: r.Served.Commits,
				latest: r.Latest.Version, latestCommits: r.Latest.Commits, latestAccepted: r.Latest.Accepted, learnt: !r.Latest.CreatedAt.IsZero()})
			if r.Served.Accepted != (r.Served.Version > 0) || r.Served.CreatedAt.IsZero() != (r.Served.Version == 0) {
				t.Errorf("%s: served model %+v", r.Repo, r.Served)
			}
			if len(r.Served.Files) != 0 || len(r.Latest.Files) != 0 {
				t.Errorf("%s: the models' files were read", r.Repo)
			}
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("RepositoriesServed = %+v, want %+v", rows, want)
		}
	})
}
