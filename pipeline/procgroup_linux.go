package pipeline

import "syscall"

// dieWithParent has the kernel SIGKILL the child when the thread that
// started it exits, which for a Go process is when the process dies: the
// runtime keeps its threads (it ends one only for a goroutine that exits
// locked to it, which this package never starts a child from). git's own
// helpers (git-remote-https, index-pack) read from git and end on its end.
func dieWithParent(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
