package admin

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/learnjob"
	"github.com/commit-labeler/commit-labeler/store"
)

// Time formats of the page, always in UTC: operators compare them with
// GitHub's delivery log and the bot's, which are in UTC too.
const (
	timeFormat = "2006-01-02 15:04:05 UTC"
	hourFormat = "2006-01-02 15:00"
)

// barWidth is the width, in pixels, of the busiest hour's bar.
const barWidth = 240

// waitingStates are River's states of a job not finished yet: the queue's
// depth. The others (completed, discarded, cancelled) are finished.
var waitingStates = []string{"available", "pending", "scheduled", "retryable", "running"}

// page is what the template renders.
type page struct {
	GeneratedAt string
	GlobalModel string
	// Login and SignOut are the signed-in person's (Viewer).
	Login, SignOut string
	// Repos counts the repositories a signed-in person may see.
	Repos  int
	Hours  int
	Facts  []fact
	Hourly []hourRow
	// HaveMetrics is set when the bot's metrics were given: the queue and
	// the outcomes since start are shown.
	HaveMetrics bool
	Queue       []countRow
	Intake      []countRow
	Jobs        []countRow
	// Refused counts the webhook requests refused since start by reason.
	Refused     []countRow
	Models      []modelRow
	Decisions   []repoDecisions
	Corrections []correctionRow
	LearnJobs   []learnJobRow
	// Workers says which learning workers are alive.
	Workers string
}

// fact is one key figure at the top of the page.
type fact struct{ Name, Value string }

// hourRow is one hour's deliveries, or a run of hours without any.
type hourRow struct {
	Hour string
	// Empty, when set, is the row of a run of hours without a delivery:
	// "no deliveries 03:00–14:00".
	Empty                       string
	Done, Failed, Queued, Total int
	Bars                        []bar
}

// bar is one outcome's segment of an hour's bar.
type bar struct{ X, Width, Class, Title string }

// countRow is a count by name (a queue state, an outcome).
type countRow struct {
	Name  string
	Count int
}

// modelRow is the model serving one repository.
type modelRow struct {
	Repo string
	// Own is set when the repository's own model serves it.
	Own     bool
	Serving string
	Detail  string
	// Latest says what became of the newest learning when it is not the
	// model serving.
	Latest string
}

// repoDecisions are one repository's recent decisions.
type repoDecisions struct {
	Repo  string
	Model string
	Rows  []decisionRow
}

// decisionRow is one decision: a pull request head or a pushed commit.
type decisionRow struct {
	At      string
	Subject string
	// Link is the pull request's or the commit's page on GitHub.
	Link string
	// Title is the pull request's title or the commit's subject ("" when
	// not recorded).
	Title  string
	Labels []labelCell
	// NoLabel is set when no label was applied: the model abstained or
	// the repository's precision left none.
	NoLabel   bool
	DecidedBy string
	Delivery  string
}

// labelCell is a label chosen with its confidence ("" when unknown) and
// what became of it: Action is a store.LabelApplied... ("" when not
// recorded), Note says it in words when it was not applied.
type labelCell struct{ Name, Confidence, Action, Note string }

// labelNotes say what became of a label that was chosen but not applied.
var labelNotes = map[string]string{
	store.LabelHeldBack: "held back: a maintainer removed it",
	store.LabelDryRun:   "dry run: not applied",
}

// learnJobRow is one learn job.
type learnJobRow struct {
	ID                                        int64
	Repo, Reason, State, Attempt, At, LastErr string
	// Stranded says why nothing will work it ("" when something will).
	Stranded string
}

// refusalReasons are the outcomes of refused webhook requests the page
// always lists, even at 0 (delivery/metrics.go).
var refusalReasons = []string{"bad_signature", "malformed_payload", "too_large", "bad_content_type", "bad_request", "ignored"}

// correctionRow is one label change a maintainer made.
type correctionRow struct {
	At, Repo, Pull, Label, Action, Sender string
	Commits                               int
}

// pageInput is what buildPage makes the page from.
type pageInput struct {
	now, since  time.Time
	hours       int
	globalModel string
	haveMetrics bool
	hourly      []store.HourlyDeliveries
	predictions []store.BotPrediction
	corrections []store.Correction
	served      []store.RepositoryServing
	counts      metricCounts
	learnJobs   []learnjob.Status
	workers     []store.Worker
	webURL      string
	viewer      Viewer
}

// buildPage turns the reads into the page's rows.
func buildPage(in pageInput) *page {
	p := &page{GeneratedAt: in.now.Format(timeFormat), GlobalModel: in.globalModel, Hours: in.hours, HaveMetrics: in.haveMetrics,
		Login: in.viewer.Login, SignOut: in.viewer.SignOut, Repos: in.viewer.Scope.Repos()}
	if p.GlobalModel == "" {
		p.GlobalModel = "the global model"
	}
	p.Hourly = hourRows(in.hourly, in.since, in.now)
	var total, done, failed, queued int
	for _, h := range in.hourly {
		total, done, failed, queued = total+h.Total(), done+h.Done, failed+h.Failed, queued+h.Queued
	}
	p.Facts = []fact{
		{fmt.Sprintf("deliveries in the last %d h", in.hours), strconv.Itoa(total)},
		{"handled", strconv.Itoa(done)},
		{"failed", strconv.Itoa(failed)},
		{"not finished", strconv.Itoa(queued)},
	}
	if in.haveMetrics {
		depth := 0
		for _, s := range waitingStates {
			depth += int(in.counts.queue[s])
		}
		p.Facts = append(p.Facts, fact{"jobs waiting in the queue", strconv.Itoa(depth)})
		p.Queue = countRows(in.counts.queue, waitingStates)
		// The intake's outcomes are the requests accepted, and the
		// others the reasons a request was refused.
		refused := maps.Clone(in.counts.intake)
		for _, accepted := range []string{"queued", "duplicate"} {
			p.Intake = append(p.Intake, countRow{Name: accepted, Count: int(refused[accepted])})
			delete(refused, accepted)
		}
		p.Jobs = countRows(in.counts.jobs, []string{"done", "retry", "failed"})
		p.Refused = countRows(refused, refusalReasons)
		total := 0
		for _, r := range p.Refused {
			total += r.Count
		}
		p.Facts = append(p.Facts, fact{"requests refused since start", strconv.Itoa(total)})
	}
	p.LearnJobs, p.Workers = learnJobRows(in.learnJobs), workersAlive(in.workers, in.now, in.viewer.Scope.All())
	servedBy := map[string]store.RepositoryServing{}
	own := 0
	for _, s := range in.served {
		servedBy[s.Repo] = s
		row := modelRow{Repo: s.Repo, Own: s.Served.Version > 0}
		if row.Own {
			own++
			row.Serving = modelName(s.Served.Version)
			row.Detail = fmt.Sprintf("learned from %d commits, published %s", s.Served.Commits, s.Served.CreatedAt.UTC().Format(timeFormat))
		} else {
			row.Serving = "global model"
			row.Detail = p.GlobalModel
		}
		if s.Latest.Version == 0 {
			row.Latest = "never learned"
		} else {
			row.Latest = fmt.Sprintf("v%d, %s: %s", s.Latest.Version, s.Latest.CreatedAt.UTC().Format(timeFormat), latestFigures(s.Latest))
		}
		p.Models = append(p.Models, row)
	}
	p.Facts = append(p.Facts, fact{"repositories", strconv.Itoa(len(in.served))}, fact{"served by their own model", strconv.Itoa(own)})
	p.Decisions = decisionGroups(in.predictions, servedBy, in.webURL)
	for _, c := range in.corrections {
		p.Corrections = append(p.Corrections, correctionRow{
			At: c.CreatedAt.UTC().Format(timeFormat), Repo: c.Repo, Pull: "#" + strconv.Itoa(c.PullNumber),
			Label: c.Label, Action: c.Action, Sender: c.Sender, Commits: len(c.SHAs),
		})
	}
	return p
}

// hourRows lists the hours from since's to now's, newest first, with a
// bar scaled to the busiest; each run of hours without a delivery is one
// row, so that a quiet night is one line rather than a screenful.
func hourRows(counted []store.HourlyDeliveries, since, now time.Time) []hourRow {
	byHour := map[time.Time]store.HourlyDeliveries{}
	busiest := 1
	for _, h := range counted {
		byHour[h.Hour.UTC()] = h
		busiest = max(busiest, h.Total())
	}
	var rows []hourRow
	var quietUntil time.Time // the end of the run of empty hours being folded
	for at := now.Truncate(time.Hour); !at.Before(since); at = at.Add(-time.Hour) {
		h, ok := byHour[at]
		if !ok || h.Total() == 0 {
			if quietUntil.IsZero() {
				quietUntil = at.Add(time.Hour)
				rows = append(rows, hourRow{})
			}
			rows[len(rows)-1] = quietRow(at, quietUntil)
			continue
		}
		quietUntil = time.Time{}
		row := hourRow{Hour: at.Format(hourFormat), Done: h.Done, Failed: h.Failed, Queued: h.Queued, Total: h.Total()}
		x := 0.0
		for _, seg := range []struct {
			n            int
			class, title string
		}{{h.Done, "done", "handled"}, {h.Failed, "failed", "failed"}, {h.Queued, "queued", "not finished"}} {
			if seg.n == 0 {
				continue
			}
			w := float64(seg.n) * barWidth / float64(busiest)
			row.Bars = append(row.Bars, bar{X: svgNumber(x), Width: svgNumber(w), Class: seg.class,
				Title: fmt.Sprintf("%d %s", seg.n, seg.title)})
			x += w
		}
		rows = append(rows, row)
	}
	return rows
}

// quietRow is the row of the hours from from to until without a
// delivery: "no deliveries 03:00–14:00", the day named at the start and,
// when it differs, at the end.
func quietRow(from, until time.Time) hourRow {
	end := until.Format("15:04")
	if until.YearDay() != from.YearDay() || until.Year() != from.Year() {
		end = until.Format(hourFormat)
	}
	return hourRow{Hour: from.Format(hourFormat), Empty: fmt.Sprintf("no deliveries %s–%s", from.Format("15:04"), end)}
}

// svgNumber writes a coordinate with at most one decimal.
func svgNumber(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// countRows lists counts by name: first the names given, even at 0 (the
// states and outcomes an operator looks for), then the others by name.
func countRows(counts map[string]float64, first []string) []countRow {
	var rows []countRow
	for _, name := range first {
		rows = append(rows, countRow{Name: name, Count: int(counts[name])})
	}
	var rest []string
	for name := range counts {
		if !slices.Contains(first, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		rows = append(rows, countRow{Name: name, Count: int(counts[name])})
	}
	return rows
}

// decisionGroups groups the predictions by repository, keeping their order
// (the most recently active repository first, newest decision first).
func decisionGroups(preds []store.BotPrediction, servedBy map[string]store.RepositoryServing, webURL string) []repoDecisions {
	var groups []repoDecisions
	for _, pr := range preds {
		if len(groups) == 0 || groups[len(groups)-1].Repo != pr.Repo {
			model := "global model"
			if v := servedBy[pr.Repo].Served.Version; v > 0 {
				model = modelName(v)
			}
			groups = append(groups, repoDecisions{Repo: pr.Repo, Model: model})
		}
		g := &groups[len(groups)-1]
		g.Rows = append(g.Rows, decision(pr, webURL))
	}
	return groups
}

// decision is the row of one prediction: its pull request or commit,
// linked, and its title; the labels chosen with the confidence the
// prediction gave them and what became of each; and what decided.
func decision(pr store.BotPrediction, webURL string) decisionRow {
	row := decisionRow{At: pr.CreatedAt.UTC().Format(timeFormat), Delivery: pr.DeliveryID, Title: pr.Title}
	repoURL := strings.TrimSuffix(webURL, "/") + "/" + pr.Repo
	if pr.PullNumber > 0 {
		row.Subject = fmt.Sprintf("pull request #%d at %s", pr.PullNumber, shortSHA(pr.SHA))
		row.Link = fmt.Sprintf("%s/pull/%d", repoURL, pr.PullNumber)
	} else {
		row.Subject = "commit " + shortSHA(pr.SHA)
		row.Link = repoURL + "/commit/" + pr.SHA
	}
	// The stored detail is the whole classify.Prediction: every label's
	// probability, of which the labels applied are a selection.
	var detail classify.Prediction
	confidence := map[string]float64{}
	if json.Unmarshal(pr.Detail, &detail) == nil {
		for _, ls := range slices.Concat(detail.Scores, detail.Labels) {
			confidence[ls.Label] = ls.Probability
		}
	}
	for _, l := range pr.Labels {
		action := pr.LabelActions[l]
		cell := labelCell{Name: l, Action: action, Note: labelNotes[action]}
		if c, ok := confidence[l]; ok {
			cell.Confidence = strconv.FormatFloat(c, 'f', 2, 64)
		}
		row.Labels = append(row.Labels, cell)
	}
	row.NoLabel = len(pr.Labels) == 0
	switch {
	case pr.Source == classify.SourceTitle:
		row.DecidedBy = "title (Conventional Commits)"
	case pr.ModelVersion == store.ModelVersionUnknown:
		row.DecidedBy = "a model (not recorded)"
	case pr.ModelVersion == 0:
		row.DecidedBy = "global model"
	default:
		row.DecidedBy = modelName(pr.ModelVersion)
	}
	return row
}

// latestFigures says how a repository's newest learning was judged
// (learnjob.Figures), from its report.
func latestFigures(m store.RepositoryModel) string {
	var l classify.Learned
	if err := json.Unmarshal(m.Report, &l); err != nil {
		return fmt.Sprintf("%d commits, accepted %t (report unreadable: %v)", m.Commits, m.Accepted, err)
	}
	return learnjob.Figures(&l)
}

// learnJobRows are the rows of the learn jobs.
func learnJobRows(jobs []learnjob.Status) []learnJobRow {
	rows := make([]learnJobRow, len(jobs))
	for i, j := range jobs {
		rows[i] = learnJobRow{ID: j.ID, Repo: j.Repo, Reason: j.Reason, State: j.State,
			Attempt: fmt.Sprintf("%d of %d", j.Attempt, j.MaxAttempts), At: j.CreatedAt.UTC().Format(timeFormat),
			LastErr: j.LastError, Stranded: j.Stranded}
	}
	return rows
}

// workersAlive says which learning workers are alive at now: named, with
// their hosts, when identify is set (the operator's view), else counted.
func workersAlive(workers []store.Worker, now time.Time, identify bool) string {
	var alive []string
	for _, w := range workers {
		if w.Alive(now) {
			alive = append(alive, fmt.Sprintf("%s (pid %d on %s, last heard %s)", w.ID, w.PID, w.Host, w.SeenAt.UTC().Format(timeFormat)))
		}
	}
	switch {
	case len(alive) == 0:
		return "No learning worker is alive: learn jobs wait until one (train worker) starts."
	case !identify:
		return fmt.Sprintf("Learning workers alive: %d.", len(alive))
	}
	return "Learning workers alive: " + strings.Join(alive, "; ") + "."
}

// modelName names a version of a repository's own model.
func modelName(version int) string { return fmt.Sprintf("own model v%d", version) }

// shortSHA is a commit's abbreviation, as GitHub shows it.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
