package perf

import (
	"os"
	"syscall"
)

// maxRSS is the peak resident memory of an exited process (Linux reports
// ru_maxrss in KiB).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}
