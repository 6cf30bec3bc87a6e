package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The reads of this file are the bot's admin page's: they go through the
// read-only connections, so that a page view never waits for, nor holds
// up, the intake's one writing connection.

// hourFormat is a delivery's received_at cut to its hour: received_at is
// RFC 3339 in UTC, so its first 13 characters name the hour, and the cut
// string sorts before every time of that hour.
const hourFormat = "2006-01-02T15"

// HourlyDeliveries counts the deliveries received in one hour by where
// they stand now.
type HourlyDeliveries struct {
	// Hour is the start of the hour, UTC.
	Hour time.Time
	// Queued, Done and Failed count the deliveries by DeliveryStatus.
	Queued, Done, Failed int
}

// Total is the hour's number of deliveries.
func (h HourlyDeliveries) Total() int { return h.Queued + h.Done + h.Failed }

// DeliveriesPerHour counts the deliveries of scope received since the
// start of since's hour, by hour and status, oldest hour first. Hours
// without a delivery are left out. Only AllRepos counts the deliveries of
// no repository (installation events).
func (db *DB) DeliveriesPerHour(ctx context.Context, scope RepoScope, since time.Time) ([]HourlyDeliveries, error) {
	inScope, args := scope.condition(db.dialect, "repo")
	rows, err := db.reads.QueryContext(ctx, `
		SELECT substr(received_at, 1, 13) AS hour, status, count(*) FROM deliveries
		WHERE received_at >= ? AND `+inScope+` GROUP BY hour, status ORDER BY hour`,
		append([]any{since.UTC().Format(hourFormat)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries per hour: %w", err)
	}
	defer rows.Close()
	var out []HourlyDeliveries
	for rows.Next() {
		var hour string
		var status DeliveryStatus
		var n int
		if err := rows.Scan(&hour, &status, &n); err != nil {
			return nil, fmt.Errorf("store: deliveries per hour: %w", err)
		}
		at, err := time.Parse(hourFormat, hour)
		if err != nil {
			return nil, fmt.Errorf("store: deliveries per hour: hour %q: %w", hour, err)
		}
		if len(out) == 0 || !out[len(out)-1].Hour.Equal(at) {
			out = append(out, HourlyDeliveries{Hour: at})
		}
		h := &out[len(out)-1]
		switch status {
		case DeliveryQueued:
			h.Queued += n
		case DeliveryDone:
			h.Done += n
		case DeliveryFailed:
			h.Failed += n
		}
	}
	return out, rows.Err()
}

// RecentPredictions returns the newest predictions of the repositories of
// scope the bot predicted for most recently: up to perRepo of each of up
// to repos repositories, by repository (the most recently active first),
// then newest first.
func (db *DB) RecentPredictions(ctx context.Context, scope RepoScope, repos, perRepo int) ([]BotPrediction, error) {
	names, err := db.recentlyPredictedRepos(ctx, scope, repos)
	if err != nil {
		return nil, err
	}
	var out []BotPrediction
	for _, repo := range names {
		ps, err := db.newestPredictions(ctx, repo, perRepo)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// recentlyPredictedRepos lists up to n repositories of scope, the one
// predicted for last first.
func (db *DB) recentlyPredictedRepos(ctx context.Context, scope RepoScope, n int) ([]string, error) {
	inScope, args := scope.condition(db.dialect, "repo")
	rows, err := db.reads.QueryContext(ctx, `
		SELECT repo FROM bot_predictions WHERE `+inScope+` GROUP BY repo ORDER BY MAX(created_at) DESC, repo LIMIT ?`,
		append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("store: repositories predicted for: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var repo string
		if err := rows.Scan(&repo); err != nil {
			return nil, fmt.Errorf("store: repositories predicted for: %w", err)
		}
		out = append(out, repo)
	}
	return out, rows.Err()
}

// newestPredictions returns up to n of repo's predictions, newest first.
func (db *DB) newestPredictions(ctx context.Context, repo string, n int) ([]BotPrediction, error) {
	rows, err := db.reads.QueryContext(ctx, `
		SELECT `+predictionColumns+` FROM bot_predictions
		WHERE repo = ? ORDER BY created_at DESC, pull_number, sha LIMIT ?`, repo, n)
	if err != nil {
		return nil, fmt.Errorf("store: newest predictions of %s: %w", repo, err)
	}
	return scanPredictions(rows, repo)
}

// RecentCorrections returns up to limit of the newest label changes
// maintainers made in the repositories of scope, newest first: one per
// change, with the commits it applies to in SHAs (they are stored one row
// per commit).
func (db *DB) RecentCorrections(ctx context.Context, scope RepoScope, limit int) ([]Correction, error) {
	inScope, args := scope.condition(db.dialect, "repo")
	rows, err := db.reads.QueryContext(ctx, `
		SELECT repo, pull_number, label, action, sender, delivery_id, created_at, `+db.dialect.groupConcat("sha", "' '")+`
		FROM corrections WHERE `+inScope+`
		GROUP BY repo, pull_number, label, action, sender, delivery_id, created_at
		ORDER BY created_at DESC, MAX(id) DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: recent corrections: %w", err)
	}
	defer rows.Close()
	var out []Correction
	for rows.Next() {
		var c Correction
		var at, shas string
		if err := rows.Scan(&c.Repo, &c.PullNumber, &c.Label, &c.Action, &c.Sender, &c.DeliveryID, &at, &shas); err != nil {
			return nil, fmt.Errorf("store: recent corrections: %w", err)
		}
		if c.CreatedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("store: correction of %s#%d: time %q: %w", c.Repo, c.PullNumber, at, err)
		}
		c.SHAs = strings.Fields(shas)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RepositoryServing is which model labels a repository, as the store
// records it: the newest accepted repository model, which every bot
// process loads within its refresh interval, else the global model.
type RepositoryServing struct {
	Repo string
	// Served is the repository model serving it; Version 0 when the
	// global model does.
	Served RepositoryModel
	// Latest is the newest model learned for it, accepted or not; Version
	// 0 when it was never learned.
	Latest RepositoryModel
}

// RepositoriesServed lists every repository of scope the bot knows
// (installed, predicted for, or learned) with the model serving it, by
// name. The models' Files are not read, nor the Report of the one serving
// unless it is the newest (Latest.Report says how the newest learning was
// judged).
func (db *DB) RepositoriesServed(ctx context.Context, scope RepoScope) ([]RepositoryServing, error) {
	inScope, args := scope.condition(db.dialect, "r.repo")
	rows, err := db.reads.QueryContext(ctx, `
		WITH repos AS (
			SELECT full_name AS repo FROM installation_repositories
			UNION SELECT repo FROM bot_predictions
			UNION SELECT repo FROM repository_models
		)
		SELECT r.repo,
			COALESCE(s.version, 0), COALESCE(s.created_at, ''), COALESCE(s.commits, 0),
			COALESCE(l.version, 0), COALESCE(l.created_at, ''), COALESCE(l.commits, 0), COALESCE(l.accepted, 0),
			COALESCE(l.report, '')
		FROM repos r
		LEFT JOIN repository_models s ON s.repo = r.repo AND s.version =
			(SELECT MAX(version) FROM repository_models WHERE repo = r.repo AND accepted <> 0)
		LEFT JOIN repository_models l ON l.repo = r.repo AND l.version =
			(SELECT MAX(version) FROM repository_models WHERE repo = r.repo)
		WHERE `+inScope+`
		ORDER BY r.repo`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: repositories served: %w", err)
	}
	defer rows.Close()
	var out []RepositoryServing
	for rows.Next() {
		var r RepositoryServing
		var servedAt, latestAt, report string
		if err := rows.Scan(&r.Repo, &r.Served.Version, &servedAt, &r.Served.Commits,
			&r.Latest.Version, &latestAt, &r.Latest.Commits, &r.Latest.Accepted, &report); err != nil {
			return nil, fmt.Errorf("store: repositories served: %w", err)
		}
		r.Served.Repo, r.Latest.Repo = r.Repo, r.Repo
		r.Served.Accepted = r.Served.Version > 0
		if report != "" {
			r.Latest.Report = []byte(report)
		}
		for _, m := range []struct {
			at   string
			into *time.Time
		}{{servedAt, &r.Served.CreatedAt}, {latestAt, &r.Latest.CreatedAt}} {
			if m.at == "" {
				continue
			}
			if *m.into, err = time.Parse(time.RFC3339Nano, m.at); err != nil {
				return nil, fmt.Errorf("store: models of %s: time %q: %w", r.Repo, m.at, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
