package commitlabeler

import "testing"

func TestDefaultVocabulary(t *testing.T) {
	v := Default()
	want := []string{"feat", "fix", "refactor", "chore", "docs", "test", "perf", "style", "ci", "build", "i18n", "revert", "other"}
	got := v.Names()
	if len(got) != len(want) {
		t.Fatalf("labels = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("label %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestForType(t *testing.T) {
	v := Default()
	for typ, want := range map[string]string{
		"feat": "feat", "Feature": "feat", "bugfix": "fix", "hotfix": "fix", "release": "chore",
		"deps": "chore", "doc": "docs", "tests": "test", "l10n": "i18n", "revert": "revert",
		"autogen": "other", "chrore": "other", "": "other",
	} {
		if got := v.ForType(typ); got != want {
			t.Errorf("ForType(%q) = %q, want %q", typ, got, want)
		}
	}
}

func TestIsI18nScope(t *testing.T) {
	v := Default()
	for scope, want := range map[string]bool{
		"i18n": true, "ui/locales": true, "core, translations": true, "L10N": true,
		"localization": false, "": false, "api": false,
	} {
		if got := v.IsI18nScope(scope); got != want {
			t.Errorf("IsI18nScope(%q) = %v, want %v", scope, got, want)
		}
	}
}

func TestParseVocabularyErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":      `{`,
		"version":       `{"version": 2, "labels": [], "fallback": "other"}`,
		"bad color":     `{"version": 1, "fallback": "a", "labels": [{"name": "a", "github_label": "a", "description": "a", "color": "red"}]}`,
		"duplicate":     `{"version": 1, "fallback": "a", "labels": [{"name": "a", "github_label": "a", "description": "a", "color": "ffffff"}, {"name": "a", "github_label": "a", "description": "a", "color": "ffffff"}]}`,
		"fallback":      `{"version": 1, "fallback": "b", "labels": [{"name": "a", "github_label": "a", "description": "a", "color": "ffffff"}]}`,
		"type twice":    `{"version": 1, "fallback": "a", "labels": [{"name": "a", "github_label": "a", "description": "a", "color": "ffffff", "types": ["x"]}, {"name": "b", "github_label": "b", "description": "b", "color": "ffffff", "types": ["x"]}]}`,
		"missing field": `{"version": 1, "fallback": "a", "labels": [{"name": "a", "color": "ffffff"}]}`,
	} {
		if _, err := ParseVocabulary([]byte(doc)); err == nil {
			t.Errorf("%s: ParseVocabulary succeeded, want an error", name)
		}
	}
}
