package store

import (
	"encoding/json"
	"slices"
	"strings"
)

// RepoScope says whose rows a read returns: every repository's
// (AllRepos), or only those of the repositories named (OnlyRepos). The
// zero RepoScope returns none, so that a scope left unset shows nothing
// rather than everything.
//
// Names compare without regard to case, as GitHub's do: a repository's
// rows are stored under the full name its webhooks carried.
type RepoScope struct {
	all bool
	// names are the lowercased full names, sorted and distinct.
	names []string
}

// AllRepos is the scope of every repository, and of the rows that belong
// to none (deliveries of installation events).
var AllRepos = RepoScope{all: true}

// OnlyRepos is the scope of the repositories named by their full names,
// owner/name.
func OnlyRepos(fullNames ...string) RepoScope {
	names := make([]string, len(fullNames))
	for i, n := range fullNames {
		names[i] = strings.ToLower(n)
	}
	slices.Sort(names)
	return RepoScope{names: slices.Compact(names)}
}

// All reports whether the scope is every repository.
func (s RepoScope) All() bool { return s.all }

// Contains reports whether the repository fullName is in the scope.
func (s RepoScope) Contains(fullName string) bool {
	if s.all {
		return true
	}
	_, found := slices.BinarySearch(s.names, strings.ToLower(fullName))
	return found
}

// Repos returns the number of repositories named; 0 for AllRepos.
func (s RepoScope) Repos() int { return len(s.names) }

// condition is the SQL condition holding for the rows whose column, a
// full name, is in the scope, with its arguments. The names travel as one
// JSON array argument, so that a person with access to thousands of
// repositories makes no query with thousands of placeholders.
func (s RepoScope) condition(d dialect, column string) (string, []any) {
	switch {
	case s.all:
		return "1 = 1", nil
	case len(s.names) == 0:
		return "1 = 0", nil
	}
	return "lower(" + column + ") IN (" + d.jsonArrayElements("?") + ")", []any{s.namesJSON()}
}

// namesJSON is the names as a JSON array.
func (s RepoScope) namesJSON() string {
	b, _ := json.Marshal(s.names) // strings always encode
	return string(b)
}
