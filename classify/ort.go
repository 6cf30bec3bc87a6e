package classify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ORTVersion is the ONNX Runtime release scripts/setup.sh installs.
const ORTVersion = "1.24.3"

// ORTLibraryEnv names the environment variable that points at libonnxruntime.so.1.
const ORTLibraryEnv = "ONNXRUNTIME_LIB"

// ErrRuntimeMissing is returned (wrapped) by InitRuntime when the ONNX
// Runtime shared library is not installed.
var ErrRuntimeMissing = errors.New("ONNX Runtime library not found")

var runtimeInit struct {
	once sync.Once
	err  error
}

// ORTLibraryPath returns where InitRuntime loads ONNX Runtime from:
// $ONNXRUNTIME_LIB, else the cache scripts/setup.sh fills
// ($COMMIT_LABELER_CACHE, else $XDG_CACHE_HOME/commit-labeler, else
// ~/.cache/commit-labeler, then onnxruntime-<version>/libonnxruntime.so.1).
func ORTLibraryPath() string {
	if p := os.Getenv(ORTLibraryEnv); p != "" {
		return p
	}
	return defaultORTLibraryPath()
}

func defaultORTLibraryPath() string {
	cache := os.Getenv("COMMIT_LABELER_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "commit-labeler")
	}
	return filepath.Join(cache, "onnxruntime-"+ORTVersion, "libonnxruntime.so.1")
}

// InitRuntime loads ONNX Runtime once per process; later calls return the
// first call's result. The environment lives until the process exits, since
// sessions may be open in any goroutine.
func InitRuntime() error {
	runtimeInit.once.Do(func() { runtimeInit.err = initRuntime() })
	return runtimeInit.err
}

func initRuntime() error {
	path := ORTLibraryPath()
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w at %s ($%s=%q, default %s): run scripts/setup.sh: %v",
			ErrRuntimeMissing, path, ORTLibraryEnv, os.Getenv(ORTLibraryEnv), defaultORTLibraryPath(), err)
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("initialize ONNX Runtime from %s: %w", path, err)
	}
	return nil
}
