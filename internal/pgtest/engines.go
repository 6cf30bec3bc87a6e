package pgtest

import (
	"path/filepath"
	"testing"
)

// OnBothEngines runs test as a subtest on each engine the store runs on,
// given the data source of a new, empty database: "sqlite", a file in a
// temporary directory; "postgres", a database of the test binary's shared
// cluster (NewDatabase).
func OnBothEngines(t *testing.T, test func(t *testing.T, source string)) {
	t.Helper()
	for _, engine := range []struct {
		name   string
		source func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "bot.db") }},
		{"postgres", func(t *testing.T) string { return NewDatabase(t) }},
	} {
		t.Run(engine.name, func(t *testing.T) { test(t, engine.source(t)) })
	}
}
