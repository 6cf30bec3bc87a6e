package repoconfig

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one error of a configuration file, at its line.
type Problem struct {
	// Line is the file's line the error is on, from 1; 0 when the YAML
	// parser did not say.
	Line int
	// Message names the key and what is wrong with it, e.g. "lables:
	// unknown key; did you mean labels?".
	Message string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// InvalidError is an invalid configuration file: every error found in it,
// in line order. A repository's file is either valid or not used at all.
type InvalidError struct {
	Problems []Problem
}

// invalid returns the problems as an *InvalidError, nil when there are none.
func invalid(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return &InvalidError{Problems: slices.SortedStableFunc(slices.Values(problems), func(a, b Problem) int {
		return cmp.Compare(a.Line, b.Line)
	})}
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return Path + ": " + strings.Join(lines, "; ")
}
