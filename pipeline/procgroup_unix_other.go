//go:build unix && !linux

package pipeline

import "syscall"

// dieWithParent does nothing: only Linux kills a child when its parent
// dies; elsewhere a killed process's git ends when it has cloned.
func dieWithParent(*syscall.SysProcAttr) {}
