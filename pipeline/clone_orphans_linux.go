package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killOrphanedGit kills the processes whose environment carries
// tempCloneEnv=dir: the git helpers (git-remote-https, fetch-pack,
// index-pack) of a clone whose process died. They are no children of git
// started with dieWithParent, so the kernel does not kill them, and a
// transfer goes on into the abandoned directory until it ends. git hands
// its environment down to every helper; /proc shows it for the user's own
// processes.
func killOrphanedGit(dir string) {
	marker := []byte(tempCloneEnv + "=" + dir)
	procs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, p := range procs {
		env, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(env, marker) {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if bytes.Equal(kv, marker) {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
				break
			}
		}
	}
}
