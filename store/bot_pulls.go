package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// States of a pull request label in the bot's bookkeeping.
const (
	// PullLabelBotApplied: the bot applied the label and may remove it.
	PullLabelBotApplied = "bot_applied"
	// PullLabelHumanAdded: a human added it; the bot never removes it.
	PullLabelHumanAdded = "human_added"
	// PullLabelHumanRemoved: a human removed it; the bot never re-adds it.
	PullLabelHumanRemoved = "human_removed"
)

// PullLabel is the state of one vocabulary label on a pull request.
type PullLabel struct {
	// Label is the vocabulary name ("fix").
	Label string
	// GitHubLabel is the label's name on GitHub ("bug").
	GitHubLabel string
	// State is PullLabelBotApplied, PullLabelHumanAdded or PullLabelHumanRemoved.
	State      string
	Sender     string
	DeliveryID string
}

// PullState is what the bot knows of a pull request.
type PullState struct {
	Repo       string
	Number     int
	HeadSHA    string
	CommitSHAs []string
	// Labels by vocabulary name.
	Labels map[string]PullLabel
}

// PullPrediction is one labeling of a pull request head: the prediction and
// the labels the bot is about to apply, saved before it writes to GitHub so
// that a crash between the two never leaves a bot label it does not own.
type PullPrediction struct {
	Repo       string
	Number     int
	HeadSHA    string
	CommitSHAs []string
	Prediction BotPrediction
	// Applying are the labels the bot adds now; they become PullLabelBotApplied.
	Applying []PullLabel
}

// PullState returns the state of a pull request; found is false when the bot
// never saw it (its Labels map is then empty, not nil). One query reads the
// pull request and its labels: on PostgreSQL each query is a round trip.
func (db *DB) PullState(ctx context.Context, repo string, number int) (st PullState, found bool, err error) {
	st = PullState{Repo: repo, Number: number, Labels: map[string]PullLabel{}}
	rows, err := db.reads.QueryContext(ctx, `
		SELECT p.head_sha, p.commit_shas, l.label, l.github_label, l.state, l.sender, l.delivery_id
		FROM (SELECT CAST(? AS TEXT) AS repo, CAST(? AS BIGINT) AS number) pull
		LEFT JOIN bot_pull_requests p ON p.repo = pull.repo AND p.number = pull.number
		LEFT JOIN bot_pull_labels l ON l.repo = pull.repo AND l.number = pull.number`, repo, number)
	if err != nil {
		return st, false, fmt.Errorf("store: pull request %s#%d: %w", repo, number, err)
	}
	defer rows.Close()
	var shas sql.NullString
	for rows.Next() {
		var head, label, github, state, sender, delivery sql.NullString
		if err := rows.Scan(&head, &shas, &label, &github, &state, &sender, &delivery); err != nil {
			return st, false, fmt.Errorf("store: pull request %s#%d: %w", repo, number, err)
		}
		if head.Valid {
			st.HeadSHA, found = head.String, true
		}
		if label.Valid {
			st.Labels[label.String] = PullLabel{Label: label.String, GitHubLabel: github.String,
				State: state.String, Sender: sender.String, DeliveryID: delivery.String}
			found = true
		}
	}
	if err := rows.Err(); err != nil {
		return st, false, fmt.Errorf("store: pull request %s#%d: %w", repo, number, err)
	}
	if shas.Valid {
		if err := json.Unmarshal([]byte(shas.String), &st.CommitSHAs); err != nil {
			return st, false, fmt.Errorf("store: pull request %s#%d: commit list: %w", repo, number, err)
		}
	}
	return st, found, nil
}

// SavePullPrediction records a labeling of a pull request in one transaction:
// its head and commits, the prediction and the labels being applied.
func (db *DB) SavePullPrediction(ctx context.Context, p PullPrediction) error {
	shas, err := json.Marshal(nonNil(p.CommitSHAs))
	if err != nil {
		return err
	}
	prediction, err := predictionStatement(p.Prediction)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	stmts := []statement{{`
		INSERT INTO bot_pull_requests (repo, number, head_sha, commit_shas, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (repo, number) DO UPDATE SET
			head_sha = excluded.head_sha, commit_shas = excluded.commit_shas, updated_at = excluded.updated_at`,
		[]any{p.Repo, p.Number, p.HeadSHA, string(shas), now()}}, prediction}
	for _, l := range p.Applying {
		l.State = PullLabelBotApplied
		stmts = append(stmts, pullLabelStatement(p.Repo, p.Number, l))
	}
	if err := db.writeAll(ctx, stmts...); err != nil {
		return fmt.Errorf("store: prediction of pull request %s#%d at %s: %w", p.Repo, p.Number, p.HeadSHA, err)
	}
	return nil
}

// SetPullLabel records the state of one label of a pull request.
func (db *DB) SetPullLabel(ctx context.Context, repo string, number int, l PullLabel) error {
	if err := db.writeAll(ctx, pullLabelStatement(repo, number, l)); err != nil {
		return fmt.Errorf("store: label %s (%s) of pull request %s#%d: %w", l.Label, l.State, repo, number, err)
	}
	return nil
}

// ForgetBotLabels drops the bot's ownership of labels it removed from a pull
// request. Labels in a human state are kept.
func (db *DB) ForgetBotLabels(ctx context.Context, repo string, number int, labels []string) error {
	if len(labels) == 0 {
		return nil // no transaction: most runs remove nothing
	}
	stmts := make([]statement, len(labels))
	for i, l := range labels {
		stmts[i] = statement{`DELETE FROM bot_pull_labels WHERE repo = ? AND number = ? AND label = ? AND state = ?`,
			[]any{repo, number, l, PullLabelBotApplied}}
	}
	if err := db.writeAll(ctx, stmts...); err != nil {
		return fmt.Errorf("store: bot labels %v of pull request %s#%d: %w", labels, repo, number, err)
	}
	return nil
}

// pullLabelStatement records the state of one label of a pull request.
func pullLabelStatement(repo string, number int, l PullLabel) statement {
	return statement{`
		INSERT INTO bot_pull_labels (repo, number, label, github_label, state, sender, delivery_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo, number, label) DO UPDATE SET
			github_label = excluded.github_label, state = excluded.state, sender = excluded.sender,
			delivery_id = excluded.delivery_id, updated_at = excluded.updated_at`,
		[]any{repo, number, l.Label, l.GitHubLabel, l.State, l.Sender, l.DeliveryID, now()}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
