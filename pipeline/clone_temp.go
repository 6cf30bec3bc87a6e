package pipeline

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
)

// A clone is made in a temporary directory beside its destination
// (.NAME.tmp-*) and renamed into place. The process making it holds an
// exclusive lock on the directory until it is renamed or removed: the
// kernel drops the lock the moment that process dies, so a temporary clone
// whose lock is free was abandoned, and several processes may share a work
// directory without removing each other's clones in progress.
//
// Every git process of a clone carries tempCloneEnv=its directory in its
// environment, so that the helpers of a dead process's clone can be found
// and killed with it (killOrphanedGit).
const (
	tempCloneGlob = ".*.tmp-*"
	tempCloneEnv  = "COMMIT_LABELER_TEMP_CLONE"
)

// prepareWorkdir makes Options.Workdir, removes the temporary clones dead
// processes left in it, and returns its absolute path.
func prepareWorkdir(env *Env) (string, error) {
	workdir, err := filepath.Abs(env.Options.Workdir)
	if err == nil {
		err = os.MkdirAll(workdir, 0o755)
	}
	if err == nil {
		err = RemoveAbandonedClones(workdir, env.Log)
	}
	if err != nil {
		return "", fmt.Errorf("work directory %s: %w", env.Options.Workdir, err)
	}
	return workdir, nil
}

// makeTempClone makes and locks a temporary directory for a clone of name
// in workdir; release unlocks and removes it (a no-op for the directory
// once renamed).
func makeTempClone(workdir, name string) (dir string, release func(), err error) {
	dir, err = os.MkdirTemp(workdir, "."+name+".tmp-")
	if err != nil {
		return "", nil, err
	}
	lock, err := os.Open(dir)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("lock temporary clone %s: %w", dir, err)
	}
	return dir, func() {
		os.RemoveAll(dir)
		lock.Close()
	}, nil
}

// RemoveAbandonedClones removes the temporary clones in workdir that no
// live process holds (their process died mid-clone), logging each.
func RemoveAbandonedClones(workdir string, log *slog.Logger) error {
	dirs, err := filepath.Glob(filepath.Join(workdir, tempCloneGlob))
	if err != nil {
		return err
	}
	var errs []error
	for _, dir := range dirs {
		gone, err := removeIfAbandoned(dir)
		if err != nil {
			errs = append(errs, err)
		}
		if gone {
			log.Info("abandoned temporary clone removed", "dir", dir)
		}
	}
	return errors.Join(errs...)
}

// removeIfAbandoned kills the git processes left cloning into dir and
// removes it, when its lock can be taken; it holds the lock meanwhile so
// that no other process removes it at once.
func removeIfAbandoned(dir string) (bool, error) {
	lock, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("temporary clone %s: %w", dir, err)
	}
	defer lock.Close()
	err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	if err == nil {
		killOrphanedGit(dir)
		err = os.RemoveAll(dir)
	}
	if err != nil {
		return false, fmt.Errorf("remove abandoned temporary clone %s: %w", dir, err)
	}
	return true, nil
}
