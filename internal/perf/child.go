package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/commit-labeler/commit-labeler/pipeline"
)

// Usage is what a child process cost: its wall time and its peak resident
// memory (the kernel's ru_maxrss, 0 where unknown).
type Usage struct {
	Wall   time.Duration
	MaxRSS int64 // bytes
}

// String renders the usage as the table shows it.
func (u Usage) String() string {
	if u.MaxRSS == 0 {
		return fmt.Sprintf("%.1f s", u.Wall.Seconds())
	}
	return fmt.Sprintf("%.1f s, %s peak RSS", u.Wall.Seconds(), mib(u.MaxRSS))
}

func mib(b int64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%d MiB", b>>20)
}

// RunPhaseCommand runs a `train` command with --json in a child process, so
// that its peak memory is its own, and returns its usage and the counts of
// its phases (summed when several ran).
func RunPhaseCommand(ctx context.Context, train string, args ...string) (Usage, pipeline.Counts, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, train, append(args, "--json")...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	u := Usage{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		u.MaxRSS = maxRSS(cmd.ProcessState)
	}
	name := "train " + strings.Join(args, " ")
	if err != nil {
		return u, nil, fmt.Errorf("perf: %s: %w\n%s", name, err, tail(stderr.String(), 2000))
	}
	var rep struct {
		Phases []pipeline.Result `json:"phases"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return u, nil, fmt.Errorf("perf: %s: output: %w", name, err)
	}
	counts := pipeline.Counts{}
	for _, r := range rep.Phases {
		for k, v := range r.Counts {
			counts[k] += v
		}
	}
	return u, counts, nil
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
