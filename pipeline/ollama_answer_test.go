package pipeline

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	commitlabeler "github.com/commit-labeler/commit-labeler"
)

func TestParseAnswerMalformed(t *testing.T) {
	ids := map[string]bool{"c1": true}
	for _, content := range []string{
		"", "fix", `{"commits": [`, `{}`, `{"commits": null}`, `[{"id": "c1"}]`,
		`{"commits": [{"id": "c1", "labels": [{"label": "fix", "confidence": "high"}]}]}`,
	} {
		if _, _, err := parseAnswer(content, ids, commitlabeler.Default()); !errors.Is(err, errMalformedAnswer) {
			t.Errorf("parseAnswer(%q): err = %v, want errMalformedAnswer", content, err)
		}
	}
}

func TestParseAnswerReason(t *testing.T) {
	long := strings.Repeat("é", maxReasonLength+10)
	got, _, err := parseAnswer(`{"commits": [{"id": " c1 ", "labels": [{"label": "fix", "confidence": 1, "reason": "line one\n\tline two"}]},
		{"id": "c2", "labels": [{"label": "docs", "confidence": 0, "reason": "`+long+`"}]}]}`,
		map[string]bool{"c1": true, "c2": true}, commitlabeler.Default())
	if err != nil {
		t.Fatal(err)
	}
	if r := got["c1"][0].Reason; r != "line one line two" {
		t.Errorf("reason %q: want one line", r)
	}
	if r := got["c2"][0].Reason; utf8.RuneCountInString(r) != maxReasonLength+1 || !strings.HasSuffix(r, "…") {
		t.Errorf("long reason kept %d characters", utf8.RuneCountInString(r))
	}
}

func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{
		`{"commits": [{"id": "c1", "labels": [{"label": "fix", "confidence": 0.9, "reason": "r"}]}]}`,
		`{"commits": [{"id": "c2", "labels": [{"label": "FIX", "confidence": 1.5}, {"label": "docs", "confidence": -1}]}, {"id": "c9"}]}`,
		`{"commits": [{"id": "c1", "labels": [{"label": "a"}, {"label": "fix"}, {"label": "docs"}, {"label": "ci"}, {"label": "test"}]}, {"id": "c1"}]}`,
		`{"commits": [`, `{}`, `null`, `{"commits": [{"id": 3}]}`,
	} {
		f.Add(s)
	}
	vocab := commitlabeler.Default()
	ids := map[string]bool{"c1": true, "c2": true, "c3": true}
	f.Fuzz(func(t *testing.T, content string) {
		got, stats, err := parseAnswer(content, ids, vocab)
		if err != nil {
			if !errors.Is(err, errMalformedAnswer) || got != nil {
				t.Fatalf("error %v with result %v", err, got)
			}
			return
		}
		if stats.UnknownIDs < 0 || stats.DuplicateIDs < 0 || stats.InvalidLabels < 0 || stats.ExtraLabels < 0 {
			t.Fatalf("negative stats %+v", stats)
		}
		for id, labels := range got {
			if !ids[id] {
				t.Fatalf("answer for unknown id %q", id)
			}
			if len(labels) == 0 || len(labels) > maxModelLabels {
				t.Fatalf("id %s: %d labels", id, len(labels))
			}
			seen := map[string]bool{}
			for i, l := range labels {
				if !vocab.Has(l.Label) || seen[l.Label] {
					t.Fatalf("id %s: invalid or repeated label %q", id, l.Label)
				}
				seen[l.Label] = true
				if !(l.Confidence >= 0 && l.Confidence <= 1) || i > 0 && l.Confidence > labels[i-1].Confidence {
					t.Fatalf("id %s: confidences out of range or order: %+v", id, labels)
				}
				if strings.ContainsAny(l.Reason, "\n\r") || utf8.RuneCountInString(l.Reason) > maxReasonLength+1 {
					t.Fatalf("id %s: reason %q is not one short line", id, l.Reason)
				}
			}
		}
	})
}

func BenchmarkParseAnswer(b *testing.B) {
	var sb strings.Builder
	ids := map[string]bool{}
	sb.WriteString(`{"commits": [`)
	for i := range 8 {
		id := batchID(i)
		ids[id] = true
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"id": "` + id + `", "labels": [{"label": "fix", "confidence": 0.8, "reason": "repairs the parser"}, {"label": "test", "confidence": 0.4, "reason": "adds a case"}]}`)
	}
	sb.WriteString("]}")
	content := sb.String()
	vocab := commitlabeler.Default()
	for b.Loop() {
		if _, _, err := parseAnswer(content, ids, vocab); err != nil {
			b.Fatal(err)
		}
	}
}
