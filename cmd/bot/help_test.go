package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestHelpReadsCleanly runs `bot --help` as a user does: it exits 0, every
// flag is shown with its kind of value (a word in backquotes of a usage
// would take its place: "-config bot setup"), and no usage says its
// default twice.
func TestHelpReadsCleanly(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--help")
	cmd.Env = append(os.Environ(), envRunAsBot+"=1", "DATABASE_URL=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bot --help: %v\n%s", err, out)
	}
	flagLine := regexp.MustCompile(`^  -[a-z-]+( (string|int|duration|float))?$`)
	lines := strings.Split(string(out), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "  -") && !flagLine.MatchString(line) {
			t.Errorf("flag line %q: want -name and the kind of its value", line)
		}
		if strings.HasPrefix(line, "    \t") && strings.Count(line, "(default") > 1 {
			t.Errorf("usage of %s says its default twice: %q", strings.TrimSpace(lines[i-1]), line)
		}
	}
	if !strings.Contains(string(out), "-db string") || !strings.Contains(string(out), "else commit-labeler-bot.db") {
		t.Errorf("--db's usage lacks its default:\n%s", out)
	}
}
