package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// BotPrediction is a prediction the bot made for a pull request head or a
// pushed commit.
type BotPrediction struct {
	Repo string
	// PullNumber is the pull request, 0 for a pushed commit.
	PullNumber int
	SHA        string
	// Source is what decided: "title", "model" or "human".
	Source string
	// Labels are the vocabulary names the bot chose.
	Labels []string
	// Detail is the full prediction as JSON (classify.Prediction).
	Detail     []byte
	DeliveryID string
	// Title is the pull request's title, or the pushed commit's subject.
	Title string
	// LabelActions says what the bot did with each label it chose, by
	// vocabulary name: one of the LabelAction constants. Empty for a
	// pushed commit (nothing is labeled) and for rows from before it was
	// recorded.
	LabelActions map[string]string
	// ModelVersion is the version of the repository's own model that
	// served the prediction, 0 for the global model, ModelVersionUnknown
	// for predictions stored before the bot recorded it.
	ModelVersion int
	// CreatedAt is when the prediction was stored (set by the store).
	CreatedAt time.Time
}

// What the bot did with a label it chose (BotPrediction.LabelActions).
const (
	// LabelApplied: the bot added it.
	LabelApplied = "applied"
	// LabelKept: the pull request had it already.
	LabelKept = "kept"
	// LabelHeldBack: a maintainer removed it before, so the bot did not
	// add it again.
	LabelHeldBack = "held_back"
	// LabelDryRun: the bot would have added it, but runs dry.
	LabelDryRun = "dry_run"
)

// ModelVersionUnknown is the ModelVersion of a prediction stored before
// the bot recorded which model served it.
const ModelVersionUnknown = -1

// SavePredictions stores predictions of pushed commits in one transaction,
// replacing earlier ones of the same commits.
func (db *DB) SavePredictions(ctx context.Context, ps []BotPrediction) error {
	stmts := make([]statement, len(ps))
	for i, p := range ps {
		var err error
		if stmts[i], err = predictionStatement(p); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if err := db.writeAll(ctx, stmts...); err != nil {
		return fmt.Errorf("store: %d predictions: %w", len(ps), err)
	}
	return nil
}

// BotPredictions returns the stored predictions of a repository, by pull
// request then commit.
func (db *DB) BotPredictions(ctx context.Context, repo string) ([]BotPrediction, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT `+predictionColumns+` FROM bot_predictions
		WHERE repo = ? ORDER BY pull_number, sha`, repo)
	if err != nil {
		return nil, fmt.Errorf("store: predictions of %s: %w", repo, err)
	}
	return scanPredictions(rows, repo)
}

// predictionColumns are the columns scanPredictions reads, in order.
const predictionColumns = `pull_number, sha, source, labels, prediction, delivery_id, model_version, created_at, title, label_actions`

// scanPredictions reads and closes rows of predictionColumns of repo.
func scanPredictions(rows *sql.Rows, repo string) ([]BotPrediction, error) {
	defer rows.Close()
	var out []BotPrediction
	for rows.Next() {
		p := BotPrediction{Repo: repo}
		var labels, detail, at, actions string
		var model sql.NullInt64
		if err := rows.Scan(&p.PullNumber, &p.SHA, &p.Source, &labels, &detail, &p.DeliveryID, &model, &at, &p.Title, &actions); err != nil {
			return nil, fmt.Errorf("store: predictions of %s: %w", repo, err)
		}
		if err := json.Unmarshal([]byte(labels), &p.Labels); err != nil {
			return nil, fmt.Errorf("store: prediction of %s in %s: labels: %w", p.SHA, repo, err)
		}
		if err := json.Unmarshal([]byte(actions), &p.LabelActions); err != nil {
			return nil, fmt.Errorf("store: prediction of %s in %s: label actions: %w", p.SHA, repo, err)
		}
		var err error
		if p.CreatedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("store: prediction of %s in %s: time %q: %w", p.SHA, repo, at, err)
		}
		p.Detail = []byte(detail)
		p.ModelVersion = ModelVersionUnknown
		if model.Valid {
			p.ModelVersion = int(model.Int64)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: predictions of %s: %w", repo, err)
	}
	return out, nil
}

// predictionStatement stores p, replacing an earlier prediction of its commit.
func predictionStatement(p BotPrediction) (statement, error) {
	labels, err := json.Marshal(nonNil(p.Labels))
	if err != nil {
		return statement{}, fmt.Errorf("prediction of commit %s in %s: %w", p.SHA, p.Repo, err)
	}
	actions := []byte("{}")
	if p.LabelActions != nil {
		if actions, err = json.Marshal(p.LabelActions); err != nil {
			return statement{}, fmt.Errorf("prediction of commit %s in %s: %w", p.SHA, p.Repo, err)
		}
	}
	detail := p.Detail
	if len(detail) == 0 {
		detail = []byte("{}")
	}
	var model sql.NullInt64
	if p.ModelVersion != ModelVersionUnknown {
		model = sql.NullInt64{Int64: int64(p.ModelVersion), Valid: true}
	}
	return statement{`
		INSERT INTO bot_predictions (repo, pull_number, sha, source, labels, prediction, delivery_id, model_version, created_at, title, label_actions)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, pull_number, sha) DO UPDATE SET
			source = excluded.source, labels = excluded.labels, prediction = excluded.prediction,
			delivery_id = excluded.delivery_id, model_version = excluded.model_version, created_at = excluded.created_at,
			title = excluded.title, label_actions = excluded.label_actions`,
		[]any{p.Repo, p.PullNumber, p.SHA, p.Source, string(labels), string(detail), p.DeliveryID, model, now(), p.Title, string(actions)}}, nil
}
