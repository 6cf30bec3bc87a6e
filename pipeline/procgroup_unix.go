//go:build unix

package pipeline

import (
	"os/exec"
	"syscall"
)

// killProcessGroupOnCancel runs cmd in its own process group and, when its
// context ends, kills the whole group: git leaves the transfer to helpers
// (git-remote-https, index-pack) that would otherwise go on writing into a
// clone being removed. Where the system offers it, git is also killed when
// this process dies (dieWithParent): a killed worker's git would otherwise
// go on cloning for nobody.
func killProcessGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
