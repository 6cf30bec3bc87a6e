package classify

import (
	"reflect"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
)

func TestParseHeader(t *testing.T) {
	v := commitlabeler.Default()
	tests := []struct {
		subject string
		ok      bool
		header  Header
		labels  []string
	}{
		{"feat(api)!: add endpoint", true, Header{Type: "feat", Scope: "api", HasScope: true, Breaking: true, Description: "add endpoint", Quote: "feat(api)!: …"}, []string{"feat"}},
		{"Fix: typo", true, Header{Type: "fix", Description: "typo", Quote: "Fix: …"}, []string{"fix"}},
		{"chore(i18n): update strings", true, Header{Type: "chore", Scope: "i18n", HasScope: true, Description: "update strings", Quote: "chore(i18n): …"}, []string{"chore", "i18n"}},
		{"l10n: sync", true, Header{Type: "l10n", Description: "sync", Quote: "l10n: …"}, []string{"i18n"}},
		{`Revert "feat: add x"`, true, Header{Type: "revert", Description: "feat: add x", Quote: `Revert "…"`}, []string{"revert"}},
		{"models: rename field", true, Header{Type: "models", Description: "rename field", Quote: "models: …"}, []string{"other"}},
		{"Add a thing", false, Header{}, nil},
		{"feat:missing space", false, Header{}, nil},
		{"feat(a: b", false, Header{}, nil},
		{"fix(ui/locales): übersetzung", true, Header{Type: "fix", Scope: "ui/locales", HasScope: true, Description: "übersetzung", Quote: "fix(ui/locales): …"}, []string{"fix", "i18n"}},
	}
	for _, tt := range tests {
		h, ok := ParseHeader(tt.subject)
		if ok != tt.ok || h != tt.header {
			t.Errorf("ParseHeader(%q) = %+v, %v; want %+v, %v", tt.subject, h, ok, tt.header, tt.ok)
			continue
		}
		if ok && !reflect.DeepEqual(h.Labels(v), tt.labels) {
			t.Errorf("ParseHeader(%q).Labels() = %v, want %v", tt.subject, h.Labels(v), tt.labels)
		}
	}
}

func TestMaskSubject(t *testing.T) {
	for in, want := range map[string]string{
		"feat(x): add y":   "add y",
		"  plain subject ": "plain subject",
		`Revert "fix: z"`:  "fix: z",
	} {
		if got := MaskSubject(in); got != want {
			t.Errorf("MaskSubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"feat(api)!: add", `Revert "x"`, "a: b", "", "feat(: x", "ü(ö)!: ß"} {
		f.Add(s)
	}
	v := commitlabeler.Default()
	f.Fuzz(func(t *testing.T, subject string) {
		h, ok := ParseHeader(subject)
		if !ok {
			return
		}
		if h.Type == "" || h.Description == "" {
			t.Fatalf("ParseHeader(%q) = %+v: empty type or description", subject, h)
		}
		labels := h.Labels(v)
		if len(labels) == 0 || len(labels) > 2 || !v.Has(labels[0]) {
			t.Fatalf("labels %v for %q", labels, subject)
		}
	})
}
