//go:build !unix

package pipeline

import "os/exec"

// killProcessGroupOnCancel leaves cmd as it is: without process groups, the
// context kills git alone.
func killProcessGroupOnCancel(*exec.Cmd) {}
