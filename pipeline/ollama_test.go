package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/internal/fakeollama"
	"github.com/commit-labeler/commit-labeler/store"
)

// labelerSubjects give the scripted model one distinct label per commit
// (modelLabel reads the first word), so that an answer matched by position
// instead of id shows.
var labelerSubjects = []string{"fix crash on empty input", "docs for the loader", "test the parser", "perf faster scan"}

// sampledCommits stores n commits cycling through subjects, all sampled.
func sampledCommits(t testing.TB, env *Env, n int, subjects []string) []int64 {
	t.Helper()
	commits := make([]store.Commit, n)
	for i := range commits {
		commits[i] = testCommit(i, subjects[i%len(subjects)])
	}
	ids := insertCommits(t, env.DB, "octo/sample", commits)
	sampleAll(t, env.DB, ids)
	return ids
}

// newTestOllama points env at the fake hosts and returns a labeler with
// short retry delays and request timeout.
func newTestOllama(t testing.TB, env *Env, hosts ...*fakeollama.Server) *ollamaLabeler {
	t.Helper()
	env.Options.Ollama.Hosts = nil
	for _, h := range hosts {
		env.Options.Ollama.Hosts = append(env.Options.Ollama.Hosts, h.URL)
	}
	l, err := newOllamaLabeler(env.Options.Ollama, commitlabeler.Default(),
		withRetryBackoff(time.Millisecond, 5*time.Millisecond), withRequestTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// wantModelLabels is what correctModel answers, per commit id.
func wantModelLabels(ids []int64, subjects []string) map[int64][]string {
	want := map[int64][]string{}
	for i, id := range ids {
		want[id] = []string{modelLabel(subjects[i%len(subjects)]).Label}
	}
	return want
}

func TestOllamaLabelerTwoHosts(t *testing.T) {
	env := newTestEnv(t)
	var logs bytes.Buffer
	env.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	env.Options.Ollama.BatchSize = 2
	subjects := append([]string{"feat(api): add endpoint"}, labelerSubjects...)
	ids := sampledCommits(t, env, 20, subjects)
	// One duplicate and two commits outside the sample are never sent.
	dup := store.Duplicate{CommitID: ids[19], DuplicateOf: ids[14]}
	sampleAll(t, env.DB, ids[:18], dup)
	ids = ids[:18]
	slow := func(n int, req *api.ChatRequest) fakeollama.Reply {
		r := correctModel(n, req)
		r.Delay = 10 * time.Millisecond // keeps both workers busy
		return r
	}
	a, b := fakeollama.New(t, slow), fakeollama.New(t, slow)
	l := newTestOllama(t, env, a, b)

	counts, err := runLabelers(context.Background(), env, []labeler{l})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sourceLabels(t, env.DB, store.SourceOllama), wantModelLabels(ids, subjects); !reflect.DeepEqual(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
	if counts["ollama.labeled"] != 18 || counts["ollama.failed"] != 0 || counts["ollama.retries"] != 0 {
		t.Errorf("counts = %v", counts)
	}
	chats := append(a.Chats(), b.Chats()...)
	if len(a.Chats()) == 0 || len(b.Chats()) == 0 || len(chats) != 9 {
		t.Errorf("requests per host: %d and %d, want 9 spread over both", len(a.Chats()), len(b.Chats()))
	}
	var schema map[string]any
	for _, req := range chats {
		if req.Options["temperature"] != 0.0 || req.Options["seed"] != 42.0 || req.Options["num_ctx"] != 8192.0 {
			t.Errorf("options = %v, want temperature 0, seed 42, num_ctx 8192", req.Options)
		}
		if req.Stream == nil || *req.Stream || req.Model != env.Options.Ollama.Model {
			t.Errorf("stream %v, model %q", req.Stream, req.Model)
		}
		if err := json.Unmarshal(req.Format, &schema); err != nil || schema["type"] != "object" {
			t.Errorf("format %s is not a JSON schema: %v", req.Format, err)
		}
		if len(req.Messages) != 2 || req.Messages[0].Role != "system" {
			t.Fatalf("messages = %+v", req.Messages)
		}
		for _, lab := range commitlabeler.Default().Labels {
			if !strings.Contains(req.Messages[0].Content, lab.Name+": "+lab.Description) {
				t.Errorf("system prompt lacks the definition of %s", lab.Name)
			}
		}
		user := req.Messages[1].Content
		if strings.Contains(user, "feat(api):") || !strings.Contains(user, "Diff excerpt:\ndiff --git") {
			t.Errorf("user prompt shows a header or lacks the diff:\n%s", user)
		}
	}
	for _, s := range append(subjects, "Body of commit") {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs show commit content %q:\n%s", s, logs.String())
		}
	}

	// Done: a rerun sends nothing; a new prompt version relabels all.
	counts, err = runLabelers(context.Background(), env, []labeler{l})
	if err != nil || counts["ollama.labeled"] != 0 || len(a.Chats())+len(b.Chats()) != 9 {
		t.Errorf("rerun: counts %v, err %v, %d requests", counts, err, len(a.Chats())+len(b.Chats()))
	}
}

func TestOllamaAnswers(t *testing.T) {
	label := func(name string, conf float64) answerLabel {
		return answerLabel{Label: name, Confidence: conf, Reason: "r"}
	}
	tests := []struct {
		name string
		// answer rewrites the correct answer of the first request.
		answer func([]answerCommit) []answerCommit
		// want is the stored labels per commit position; nil: not labeled.
		want   [][]string
		counts Counts
	}{
		{
			name:   "out of order",
			answer: func(a []answerCommit) []answerCommit { slices.Reverse(a); return a },
			want:   [][]string{{"fix"}, {"docs"}, {"test"}, {"perf"}},
			counts: Counts{"ollama.labeled": 4},
		},
		{
			name: "unknown and duplicate ids",
			answer: func(a []answerCommit) []answerCommit {
				return append(a,
					answerCommit{ID: "c99", Labels: []answerLabel{label("ci", 1)}},
					answerCommit{ID: "", Labels: []answerLabel{label("ci", 1)}},
					answerCommit{ID: "c1", Labels: []answerLabel{label("ci", 1)}})
			},
			want:   [][]string{{"fix"}, {"docs"}, {"test"}, {"perf"}},
			counts: Counts{"ollama.labeled": 4, "ollama.unknown_ids": 2, "ollama.duplicate_ids": 1},
		},
		{
			name:   "missing id",
			answer: func(a []answerCommit) []answerCommit { return slices.Delete(a, 1, 2) },
			want:   [][]string{{"fix"}, nil, {"test"}, {"perf"}},
			counts: Counts{"ollama.labeled": 3, "ollama.failed": 1},
		},
		{
			name: "invalid labels",
			answer: func(a []answerCommit) []answerCommit {
				a[0].Labels = []answerLabel{label("bogus", 0.9), label(" Fix ", 0.8), label("fix", 0.7)}
				a[1].Labels = []answerLabel{label("type: docs", 0.9)}
				a[2].Labels = nil
				return a
			},
			want:   [][]string{{"fix"}, nil, nil, {"perf"}},
			counts: Counts{"ollama.labeled": 2, "ollama.failed": 2, "ollama.invalid_labels": 3},
		},
		{
			name: "confidence out of range",
			answer: func(a []answerCommit) []answerCommit {
				a[0].Labels = []answerLabel{label("fix", 1.5)}
				a[1].Labels = []answerLabel{label("docs", -0.1), label("other", 0.3)}
				return a
			},
			want:   [][]string{nil, {"other"}, {"test"}, {"perf"}},
			counts: Counts{"ollama.labeled": 3, "ollama.failed": 1, "ollama.invalid_labels": 2},
		},
		{
			name: "more than three labels, most confident first",
			answer: func(a []answerCommit) []answerCommit {
				a[0].Labels = []answerLabel{label("fix", 0.2), label("docs", 0.9), label("test", 0.5), label("perf", 0.7)}
				return a
			},
			want:   [][]string{{"docs", "perf", "test"}, {"docs"}, {"test"}, {"perf"}},
			counts: Counts{"ollama.labeled": 4, "ollama.extra_labels": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.Options.Ollama.BatchSize = 4
			ids := sampledCommits(t, env, 4, labelerSubjects)
			host := fakeollama.New(t, func(n int, req *api.ChatRequest) fakeollama.Reply {
				if n == 1 {
					return fakeollama.Reply{Content: content(tt.answer(correctAnswer(req)))}
				}
				return correctModel(n, req)
			})
			l := newTestOllama(t, env, host)
			counts, err := runLabelers(context.Background(), env, []labeler{l})
			if err != nil {
				t.Fatal(err)
			}
			got := sourceLabels(t, env.DB, store.SourceOllama)
			missing := 0
			for i, id := range ids {
				if !reflect.DeepEqual(got[id], tt.want[i]) {
					t.Errorf("commit %d: labels %v, want %v", i, got[id], tt.want[i])
				}
				if tt.want[i] == nil {
					missing++
				}
			}
			for k, v := range tt.counts {
				if counts[k] != v {
					t.Errorf("count %s = %d, want %d (all: %v)", k, counts[k], v, counts)
				}
			}

			// A rerun asks again about exactly the commits left unlabeled.
			if _, err := runLabelers(context.Background(), env, []labeler{l}); err != nil {
				t.Fatal(err)
			}
			chats := host.Chats()
			if missing == 0 && len(chats) != 1 || missing > 0 && (len(chats) != 2 || len(promptCommits(&chats[1])) != missing) {
				t.Errorf("%d requests, want a second one for the %d unlabeled commits", len(chats), missing)
			}
			if n := len(sourceLabels(t, env.DB, store.SourceOllama)); n != 4 {
				t.Errorf("after rerun %d commits labeled, want 4", n)
			}
		})
	}
}

func TestOllamaRetries(t *testing.T) {
	correctAfter := func(failures int, fail fakeollama.Reply) fakeollama.ChatScript {
		return func(n int, req *api.ChatRequest) fakeollama.Reply {
			if n <= failures {
				return fail
			}
			return correctModel(n, req)
		}
	}
	tests := []struct {
		name    string
		script  fakeollama.ChatScript
		retries int64
		seeds   []float64 // seeds of the requests, when checked
	}{
		{"server errors", correctAfter(2, fakeollama.Reply{Status: http.StatusInternalServerError, Error: "boom"}), 2, []float64{42, 42, 42}},
		{"rate limited", correctAfter(1, fakeollama.Reply{Status: http.StatusTooManyRequests}), 1, nil},
		{"malformed content", correctAfter(1, fakeollama.Reply{Content: `{"commits": [{"id": "c1", `}), 1, []float64{42, 43}},
		{"truncated", correctAfter(1, fakeollama.Reply{Content: `{"commits": [{"id": "c1", "labels": [{"la`, DoneReason: "length"}), 1, nil},
		{"wrong document", correctAfter(1, fakeollama.Reply{Content: `{"answer": "fix"}`}), 1, nil},
		{"malformed body", correctAfter(1, fakeollama.Reply{Raw: "<html>proxy error</html>"}), 1, nil},
		{"slow answer", correctAfter(1, fakeollama.Reply{Delay: time.Minute}), 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.Options.Ollama.BatchSize = 4
			ids := sampledCommits(t, env, 4, labelerSubjects)
			host := fakeollama.New(t, tt.script)
			l := newTestOllama(t, env, host)
			l.requestTimeout = 200 * time.Millisecond
			counts, err := runLabelers(context.Background(), env, []labeler{l})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := sourceLabels(t, env.DB, store.SourceOllama), wantModelLabels(ids, labelerSubjects); !reflect.DeepEqual(got, want) {
				t.Errorf("labels = %v, want %v", got, want)
			}
			if counts["ollama.retries"] != tt.retries || counts["ollama.labeled"] != 4 {
				t.Errorf("counts = %v, want %d retries", counts, tt.retries)
			}
			if tt.seeds != nil {
				var seeds []float64
				for _, req := range host.Chats() {
					seeds = append(seeds, req.Options["seed"].(float64))
				}
				if !reflect.DeepEqual(seeds, tt.seeds) {
					t.Errorf("seeds = %v, want %v", seeds, tt.seeds)
				}
			}
		})
	}
}

func TestOllamaRetryMovesToAnotherHost(t *testing.T) {
	env := newTestEnv(t)
	env.Options.Ollama.BatchSize = 1
	env.Options.Ollama.Concurrency = 1
	ids := sampledCommits(t, env, 6, labelerSubjects)
	down := fakeollama.New(t, func(int, *api.ChatRequest) fakeollama.Reply {
		return fakeollama.Reply{Status: http.StatusBadGateway}
	})
	up := fakeollama.New(t, correctModel)
	counts, err := runLabelers(context.Background(), env, []labeler{newTestOllama(t, env, down, up)})
	if err != nil {
		t.Fatal(err)
	}
	if got := sourceLabels(t, env.DB, store.SourceOllama); !reflect.DeepEqual(got, wantModelLabels(ids, labelerSubjects)) {
		t.Errorf("labels = %v", got)
	}
	if counts["ollama.labeled"] != 6 || counts["ollama.failed"] != 0 || len(down.Chats()) == 0 {
		t.Errorf("counts = %v, %d requests to the host that is down", counts, len(down.Chats()))
	}
}

func TestOllamaGivesUp(t *testing.T) {
	tests := []struct {
		name     string
		reply    fakeollama.Reply
		requests int
		want     string
	}{
		{"retries exhausted", fakeollama.Reply{Status: http.StatusServiceUnavailable, Error: "overloaded"}, 3, "every batch failed"},
		{"not retryable", fakeollama.Reply{Status: http.StatusNotFound, Error: `model "m" not found`}, 1, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.Options.Ollama.BatchSize = 4
			env.Options.Ollama.MaxRetries = 2
			sampledCommits(t, env, 4, labelerSubjects)
			host := fakeollama.New(t, func(int, *api.ChatRequest) fakeollama.Reply { return tt.reply })
			counts, err := runLabelers(context.Background(), env, []labeler{newTestOllama(t, env, host)})
			if err == nil || !strings.Contains(err.Error(), tt.want) ||
				!strings.Contains(err.Error(), strings.TrimPrefix(host.URL, "http://")) || !strings.Contains(err.Error(), env.Options.Ollama.Model) {
				t.Fatalf("err = %v, want %q naming host and model", err, tt.want)
			}
			if len(host.Chats()) != tt.requests || counts["ollama.labeled"] != 0 {
				t.Errorf("%d requests, counts %v", len(host.Chats()), counts)
			}
			if rows := labelRows(t, env.DB); len(rows) != 0 {
				t.Errorf("rows stored: %v", rows)
			}
		})
	}
}

func TestOllamaCancelAndResume(t *testing.T) {
	const n = 24
	run := func(t *testing.T, cancelAt int) []string {
		env := newTestEnv(t)
		env.Options.Ollama.BatchSize = 2
		sampledCommits(t, env, n, labelerSubjects)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var requests atomic.Int32
		host := fakeollama.New(t, func(n int, req *api.ChatRequest) fakeollama.Reply {
			if int(requests.Add(1)) == cancelAt {
				cancel()
			}
			return correctModel(n, req)
		})
		l := newTestOllama(t, env, host)
		if cancelAt > 0 {
			_, err := runLabelers(ctx, env, []labeler{l})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run: err = %v", err)
			}
			partial := labelRows(t, env.DB)
			if len(partial) >= 2*n {
				t.Fatalf("cancelled run finished everything (%d rows)", len(partial))
			}
			if len(partial)%4 != 0 { // whole batches: 2 commits × (label + labeling)
				t.Errorf("cancelled run left a partial batch: %d rows", len(partial))
			}
		}
		if _, err := runLabelers(context.Background(), env, []labeler{l}); err != nil {
			t.Fatal(err)
		}
		return labelRows(t, env.DB)
	}
	clean := run(t, 0)
	if len(clean) != 2*n {
		t.Fatalf("clean run: %d rows, want %d", len(clean), 2*n)
	}
	for _, at := range []int{1, 4, 9} {
		t.Run(fmt.Sprint("cancel at request ", at), func(t *testing.T) {
			if resumed := run(t, at); !reflect.DeepEqual(resumed, clean) {
				t.Errorf("resumed rows differ from a clean run:\n%v\n%v", resumed, clean)
			}
		})
	}
}

func TestOllamaOptionsRejected(t *testing.T) {
	base := DefaultOptions().Ollama
	tests := []struct {
		name   string
		modify func(*OllamaOptions)
		want   string
	}{
		{"no host", func(o *OllamaOptions) { o.Hosts = nil }, "no host"},
		{"host without scheme", func(o *OllamaOptions) { o.Hosts = []string{"localhost:11434"} }, `"localhost:11434"`},
		{"no model", func(o *OllamaOptions) { o.Model = "" }, "model is empty"},
		{"zero batch", func(o *OllamaOptions) { o.BatchSize = 0 }, "batch size 0"},
		{"zero concurrency", func(o *OllamaOptions) { o.Concurrency = 0 }, "concurrency 0"},
		{"zero num_ctx", func(o *OllamaOptions) { o.NumCtx = 0 }, "num_ctx 0"},
		{"negative retries", func(o *OllamaOptions) { o.MaxRetries = -1 }, "max retries -1"},
	}
	for _, tt := range tests {
		o := base
		o.Hosts = slices.Clone(base.Hosts)
		tt.modify(&o)
		if _, err := newOllamaLabeler(o, commitlabeler.Default()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestOllamaLabelerVersion(t *testing.T) {
	vocab := commitlabeler.Default()
	v := ollamaLabelerVersion("m:7b", renderSystem(vocab), answerSchema(vocab))
	if !strings.HasPrefix(v, "ollama/m:7b/") || len(v) != len("ollama/m:7b/")+8 {
		t.Errorf("version %q: want ollama/<model>/<8 hex digits>", v)
	}
	if ollamaLabelerVersion("m:7b", renderSystem(vocab)+" ", answerSchema(vocab)) == v ||
		ollamaLabelerVersion("m:7b", renderSystem(vocab), json.RawMessage(`{}`)) == v ||
		ollamaLabelerVersion("m:8b", renderSystem(vocab), answerSchema(vocab)) == v {
		t.Error("version does not change with the prompt, the schema or the model")
	}
}

// BenchmarkOllamaLabeler measures the labeler's own cost per commit (prompt,
// HTTP round trip to a local fake, parsing, storing), the part that is not
// the model's.
func BenchmarkOllamaLabeler(b *testing.B) {
	env := newTestEnv(b)
	sampledCommits(b, env, 400, labelerSubjects)
	host := fakeollama.New(b, correctModel)
	l := newTestOllama(b, env, host)
	runs := 0
	for b.Loop() {
		runs++
		l.version = fmt.Sprint("bench/", runs) // a fresh version labels every commit again
		if _, err := runLabelers(context.Background(), env, []labeler{l}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(400*runs)/b.Elapsed().Seconds(), "commits/s")
}
