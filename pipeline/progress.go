package pipeline

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress reports how far a long phase is.
type Progress interface {
	// Add records n more items done.
	Add(n int)
	// Done ends the report.
	Done()
}

// ProgressFactory starts a progress report for total items (-1: unknown).
type ProgressFactory func(label string, total int) Progress

// NoProgress reports nothing; tests use it.
func NoProgress(string, int) Progress { return nopProgress{} }

type nopProgress struct{}

func (nopProgress) Add(int) {}
func (nopProgress) Done()   {}

// StderrProgress draws a progress bar when stderr is a terminal and prints a
// line every interval otherwise (logs, CI).
func StderrProgress(interval time.Duration) ProgressFactory {
	if f, ok := any(os.Stderr).(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return func(label string, total int) Progress {
			return barProgress{progressbar.NewOptions(total,
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription(label),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("items"),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)}
		}
	}
	return func(label string, total int) Progress {
		return newLineProgress(os.Stderr, label, total, interval)
	}
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (b barProgress) Add(n int) { b.bar.Add(n) }
func (b barProgress) Done()     { b.bar.Finish() }

// lineProgress prints "label: done/total (rate/s)" at most once per interval.
type lineProgress struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int
	start    time.Time
	last     time.Time
	interval time.Duration
}

func newLineProgress(w io.Writer, label string, total int, interval time.Duration) *lineProgress {
	t := time.Now()
	return &lineProgress{w: w, label: label, total: total, start: t, last: t, interval: interval}
}

func (p *lineProgress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if time.Since(p.last) >= p.interval {
		p.last = time.Now()
		p.print()
	}
}

func (p *lineProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.start) >= p.interval {
		p.print()
	}
}

func (p *lineProgress) print() {
	rate := float64(p.done) / time.Since(p.start).Seconds()
	if p.total > 0 {
		fmt.Fprintf(p.w, "%s: %d/%d (%.0f/s)\n", p.label, p.done, p.total, rate)
		return
	}
	fmt.Fprintf(p.w, "%s: %d (%.0f/s)\n", p.label, p.done, rate)
}
