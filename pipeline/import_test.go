package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/store"
)

// The corpus files of DATA.md; tests on them skip when they are absent.
const (
	corpusSample = "../../shared/data/commits-sample.jsonl"
	corpusDev    = "../../shared/data/commits-dev.jsonl.gz"
)

// tableCounts returns the row count of every table an import writes.
func tableCounts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	out := make(map[string]int)
	for _, table := range []string{"repositories", "commits", "commit_files", "commit_labels", "labelings", "features"} {
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestImport(t *testing.T) {
	for _, file := range []string{"testdata/import-valid.jsonl", "testdata/import-valid.jsonl.gz"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ctx := context.Background()
			env := newTestEnv(t)
			counts, err := Import(ctx, env, file)
			if err != nil {
				t.Fatal(err)
			}
			if want := (Counts{CountImported: 4, CountAlreadyPresent: 0}); !reflect.DeepEqual(counts, want) {
				t.Errorf("counts = %v, want %v", counts, want)
			}
			wantRows := map[string]int{"repositories": 2, "commits": 4, "commit_files": 7, "commit_labels": 5, "labelings": 4, "features": 4}
			if got := tableCounts(t, env.DB); !reflect.DeepEqual(got, wantRows) {
				t.Errorf("rows = %v, want %v", got, wantRows)
			}

			// The second record: labels in order, date converted, features built from it.
			var commits []*store.Commit
			if err := env.DB.ForEachCommit(ctx, store.CommitFilter{}, func(c *store.Commit) error {
				commits = append(commits, c)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			first, second := commits[0], commits[1]
			if first.Repo != "acme/widgets" || first.AuthoredAt != "2024-03-01T10:00:00+01:00" || first.AuthoredUnix != 1709283600 {
				t.Errorf("first commit = %+v", first)
			}
			if commits[2].Repo != "acme/gadgets" || !commits[2].AuthorIsBot || commits[2].FilesChanged != 5 || !commits[2].Files[2].Binary {
				t.Errorf("third commit = %+v", commits[2])
			}
			if f := commits[3].Files[0]; f.Status != "R" || f.OldPath != "src/old_gadget.rs" {
				t.Errorf("renamed file = %+v", f)
			}
			labels, err := env.DB.EffectiveLabels(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantLabels := store.EffectiveLabel{CommitID: second.ID, Source: store.SourceConventional,
				Labels: []store.CommitLabel{{Label: "fix", Confidence: 1}, {Label: "i18n", Confidence: 1}}}
			if !reflect.DeepEqual(labels[1], wantLabels) {
				t.Errorf("labels of the second commit = %+v, want %+v", labels[1], wantLabels)
			}
			data, v, err := env.DB.Features(ctx, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(classify.BuildFeatures(classifyCommit(second)))
			if v != classify.FeaturesVersion || string(data) != string(want) {
				t.Errorf("features = v%d %s\nwant %s", v, data, want)
			}

			// A rerun stores nothing new.
			counts, err = Import(ctx, env, file)
			if err != nil {
				t.Fatal(err)
			}
			if want := (Counts{CountImported: 0, CountAlreadyPresent: 4}); !reflect.DeepEqual(counts, want) {
				t.Errorf("rerun counts = %v, want %v", counts, want)
			}
			if got := tableCounts(t, env.DB); !reflect.DeepEqual(got, wantRows) {
				t.Errorf("rows after rerun = %v, want %v", got, wantRows)
			}
		})
	}
}

func TestImportStopsAtInvalidLine(t *testing.T) {
	env := newTestEnv(t)
	_, err := Import(context.Background(), env, "testdata/import-invalid-line3.jsonl")
	if err == nil {
		t.Fatal("no error for an invalid record")
	}
	for _, want := range []string{"testdata/import-invalid-line3.jsonl:3:", `field "files.0.status"`, `"X"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	// The two records before the invalid line are stored whole; nothing after it.
	wantRows := map[string]int{"repositories": 1, "commits": 2, "commit_files": 3, "commit_labels": 3, "labelings": 2, "features": 2}
	if got := tableCounts(t, env.DB); !reflect.DeepEqual(got, wantRows) {
		t.Errorf("rows = %v, want %v", got, wantRows)
	}
}

func TestImportFileErrors(t *testing.T) {
	dir := t.TempDir()
	plain, err := os.ReadFile("testdata/import-valid.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gz, err := os.ReadFile("testdata/import-valid.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "absent.jsonl"), "no such file"},
		{"plain text named .gz", write("plain.jsonl.gz", plain), "not gzip-compressed"},
		{"truncated gzip", write("cut.jsonl.gz", gz[:len(gz)/2]), "unexpected EOF"},
		{"not JSON", write("text.jsonl", []byte("hello\n")), "text.jsonl:1: invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			if _, err := Import(context.Background(), env, tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Import(%s) error = %v, want one mentioning %q", tt.path, err, tt.want)
			}
			if got := tableCounts(t, env.DB)["commits"]; got != 0 {
				t.Errorf("%d commits stored from a broken file", got)
			}
		})
	}
}

// validRecord is a hand-written record that the table below breaks field by field.
const validRecord = `{"repo": "acme/widgets", "sha": "ABCDEF0123456789abcdef0123456789abcdef01", "date": "2024-03-01T10:00:00+01:00",
	"subject": "feat: x", "body": "b", "labels": ["feat"], "files": [{"path": "a.go", "additions": 1, "deletions": 0, "status": "M"}],
	"files_changed": 1, "additions": 1, "deletions": 0, "diff": "", "author_is_bot": false}`

func TestDecodeImportRecord(t *testing.T) {
	vocab := commitlabeler.Default()
	c, err := decodeImportRecord([]byte(validRecord), vocab)
	if err != nil {
		t.Fatal(err)
	}
	if c.Commit.SHA != "abcdef0123456789abcdef0123456789abcdef01" || c.Repo != "acme/widgets" || c.Commit.AuthoredUnix != 1709283600 {
		t.Errorf("decoded %+v", c)
	}
	tests := []struct {
		name, old, new, field string
	}{
		{"missing repo", `"repo": "acme/widgets", `, ``, `field "repo": missing`},
		{"repo with space", `"acme/widgets"`, `"acme widgets"`, `field "repo"`},
		{"short sha", `ABCDEF0123456789abcdef0123456789abcdef01`, `abc123`, `field "sha"`},
		{"non-hex sha", `ABCDEF0123456789abcdef0123456789abcdef01`, `XBCDEF0123456789abcdef0123456789abcdef01`, `field "sha"`},
		{"date without offset", `2024-03-01T10:00:00+01:00`, `2024-03-01 10:00`, `field "date"`},
		{"empty subject", `"feat: x"`, `" "`, `field "subject": empty`},
		{"unknown label", `["feat"]`, `["feature"]`, `field "labels.0"`},
		{"duplicate label", `["feat"]`, `["feat", "feat"]`, `field "labels.1"`},
		{"no labels", `["feat"]`, `[]`, `field "labels": empty`},
		{"status", `"status": "M"`, `"status": "MM"`, `field "files.0.status"`},
		{"missing status", `, "status": "M"`, ``, `field "files.0.status": missing`},
		{"negative file additions", `"additions": 1, "deletions": 0, "status"`, `"additions": -1, "deletions": 0, "status"`, `field "files.0.additions"`},
		{"empty path", `"path": "a.go"`, `"path": ""`, `field "files.0.path"`},
		{"negative additions", `"files_changed": 1, "additions": 1`, `"files_changed": 1, "additions": -4`, `field "additions"`},
		{"files_changed below files", `"files_changed": 1`, `"files_changed": 0`, `field "files_changed"`},
		{"wrong type", `"files_changed": 1`, `"files_changed": "1"`, `field "files_changed"`},
		{"wrong nested type", `"deletions": 0, "status"`, `"deletions": "0", "status"`, `field "files.deletions"`}, // encoding/json names no index
		{"not an object", validRecord, `[1]`, `invalid JSON`},
		{"broken JSON", `"diff": ""`, `"diff": "`, `invalid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := strings.Replace(validRecord, tt.old, tt.new, 1)
			if line == validRecord {
				t.Fatalf("replacement %q not found", tt.old)
			}
			_, err := decodeImportRecord([]byte(line), vocab)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error = %v, want one containing %s", err, tt.field)
			}
		})
	}
}

func FuzzImportRecord(f *testing.F) {
	f.Add([]byte(validRecord))
	f.Add([]byte(`{"repo":"a/b","sha":"` + strings.Repeat("0", 64) + `","date":"2020-01-01T00:00:00Z","subject":"x","labels":["fix","i18n"],"files":[],"files_changed":0,"additions":0,"deletions":0}`))
	f.Add([]byte(`{"files":[{"path":null}]}`))
	f.Add([]byte(`null`))
	vocab := commitlabeler.Default()
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := decodeImportRecord(line, vocab)
		if err != nil {
			return
		}
		if len(c.Commit.SHA) != 40 && len(c.Commit.SHA) != 64 || c.Repo == "" || len(c.Labels) == 0 {
			t.Fatalf("accepted invalid record %+v", c)
		}
		for _, l := range c.Labels {
			if !vocab.Has(l) {
				t.Fatalf("accepted label %q", l)
			}
		}
		for _, f := range c.Commit.Files {
			if !strings.Contains("AMDRCT", f.Status) || len(f.Status) != 1 || f.Additions < 0 || f.Deletions < 0 {
				t.Fatalf("accepted file %+v", f)
			}
		}
		if _, err := json.Marshal(classify.BuildFeatures(classifyCommit(&c.Commit))); err != nil {
			t.Fatal(err)
		}
	})
}

// manyRecords writes n generated, valid records to a JSON Lines file.
func manyRecords(t testing.TB, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "many.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	labels := [][]string{{"feat"}, {"fix", "i18n"}, {"chore"}, {"docs"}}
	for i := range n {
		c := syntheticCommit(i)
		rec := map[string]any{"repo": fmt.Sprintf("acme/repo%d", i%3), "sha": c.SHA, "date": c.AuthoredAt,
			"subject": c.Subject, "body": c.Body, "labels": labels[i%len(labels)], "files": c.Files,
			"files_changed": c.FilesChanged, "additions": c.Additions, "deletions": c.Deletions, "diff": c.Diff}
		// store.File has no JSON tags; rename its fields the corpus way.
		files := make([]map[string]any, len(c.Files))
		for j, f := range c.Files {
			files[j] = map[string]any{"path": f.Path, "status": f.Status, "additions": f.Additions, "deletions": f.Deletions}
		}
		rec["files"] = files
		line, _ := json.Marshal(rec)
		w.Write(append(line, '\n'))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return p
}

// tableDump returns every corpus row the phases write, ids included, as text.
func tableDump(t testing.TB, db *store.DB) []string {
	t.Helper()
	return dumpRows(t, db,
		`SELECT id || ' ' || name FROM repositories ORDER BY id`,
		`SELECT id || ' ' || repo_id || ' ' || sha || ' ' || authored_unix || ' ' || subject FROM commits ORDER BY id`,
		`SELECT commit_id || ' ' || position || ' ' || path FROM commit_files ORDER BY commit_id, position`,
		`SELECT commit_id || ' ' || label || ' ' || rank || ' ' || labeler_version FROM commit_labels ORDER BY commit_id, rank`,
		`SELECT commit_id || ' ' || status FROM labelings ORDER BY commit_id`,
		`SELECT commit_id || ' ' || version || ' ' || data FROM features ORDER BY commit_id`,
		`SELECT commit_id || ' ' || year FROM samples ORDER BY commit_id`,
		`SELECT commit_id || ' ' || duplicate_of FROM duplicates ORDER BY commit_id`)
}

func TestImportCancelledThenRerunEqualsCleanRun(t *testing.T) {
	file := manyRecords(t, 2*writeBatch+300)
	clean := newTestEnv(t)
	if _, err := Import(context.Background(), clean, file); err != nil {
		t.Fatal(err)
	}

	env := newTestEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.Progress = func(string, int) Progress { return cancellingProgress{cancel} }
	counts, err := Import(ctx, env, file)
	if err == nil {
		t.Fatal("cancelled import returned no error")
	}
	if got := int64(tableCounts(t, env.DB)["commits"]); got != counts[CountImported] || got%writeBatch != 0 || got == 2*writeBatch+300 {
		t.Errorf("cancelled import stored %d commits, counted %d: want whole batches, not all", got, counts[CountImported])
	}
	env.Progress = NoProgress
	counts, err = Import(context.Background(), env, file)
	if err != nil {
		t.Fatal(err)
	}
	if counts[CountAlreadyPresent] == 0 || counts[CountImported]+counts[CountAlreadyPresent] != 2*writeBatch+300 {
		t.Errorf("rerun counts = %v", counts)
	}
	if got, want := tableDump(t, env.DB), tableDump(t, clean.DB); !reflect.DeepEqual(got, want) {
		t.Errorf("cancelled+rerun rows differ from a clean import (%d vs %d rows)", len(got), len(want))
	}
}

func TestImportCorpusSampleLabelCounts(t *testing.T) {
	f, err := os.Open(corpusSample)
	if os.IsNotExist(err) {
		t.Skip("../shared/data absent: no corpus sample to import")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	primary := make(map[string]int64)
	all := 0
	records := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, maxImportLine)
	for sc.Scan() {
		var r struct{ Labels []string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		primary[r.Labels[0]]++
		all += len(r.Labels)
		records++
	}

	env := newTestEnv(t)
	counts, err := Import(context.Background(), env, corpusSample)
	if err != nil {
		t.Fatal(err)
	}
	if counts[CountImported] != int64(records) {
		t.Errorf("imported %v of %d records", counts, records)
	}
	got, err := env.DB.LabelCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got[store.SourceConventional], primary) {
		t.Errorf("primary label counts = %v, file has %v", got[store.SourceConventional], primary)
	}
	if rows := tableCounts(t, env.DB); rows["commit_labels"] != all || rows["features"] != records {
		t.Errorf("rows = %v, want %d labels and %d features", rows, all, records)
	}
}

// BenchmarkImport imports the 85,815-record development corpus into a fresh
// store, reporting CPU seconds and the peak resident memory of the process.
func BenchmarkImport(b *testing.B) {
	if _, err := os.Stat(corpusDev); os.IsNotExist(err) {
		b.Skip("../shared/data absent: no development corpus to import")
	}
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	var imported int64
	for b.Loop() {
		env := newTestEnv(b)
		counts, err := Import(context.Background(), env, corpusDev)
		if err != nil {
			b.Fatal(err)
		}
		imported = counts[CountImported]
	}
	elapsed := time.Since(start)
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / time.Duration(b.N)
	b.ReportMetric(float64(imported), "records")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/import")
	b.ReportMetric(cpu.Seconds(), "cpu-s/import")
	b.ReportMetric(float64(after.Maxrss)/1024, "peak-rss-MiB")
}
