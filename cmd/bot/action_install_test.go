package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v93/github"
	"go.yaml.in/yaml/v3"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/ghexamples"
)

// installScript is action.yml's first step, relative to this package.
const installScript = "../../scripts/action-install.sh"

// releaseArch is the architecture in the names of the release's tarballs.
func releaseArch(tb testing.TB) string {
	tb.Helper()
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		tb.Skipf("no release binaries for %s", runtime.GOARCH)
	}
	return runtime.GOARCH
}

// releaseTarball packs files (path in the tarball → content) as the
// release workflow does: a directory commit-labeler-bot-linux-ARCH.
func releaseTarball(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(content))}); err != nil {
			tb.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// sha256Hex is the SHA-256 of b as sha256sum prints it.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// releaseServer stands in for GitHub's release downloads: files under
// prefix answer with a redirect to /assets/NAME, as github.com redirects
// to its asset host; anything else is 404; a status other than 0 answers
// every request. It records the paths asked for.
type releaseServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newReleaseServer(tb testing.TB, prefix string, files map[string][]byte, status int) *releaseServer {
	rs := &releaseServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.paths = append(rs.paths, r.URL.Path)
		rs.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		if name, ok := strings.CutPrefix(r.URL.Path, prefix+"/"); ok && files[name] != nil {
			http.Redirect(w, r, "/assets/"+name, http.StatusFound)
			return
		}
		if name, ok := strings.CutPrefix(r.URL.Path, "/assets/"); ok && files[name] != nil {
			w.Write(files[name])
			return
		}
		http.NotFound(w, r)
	}))
	tb.Cleanup(rs.Close)
	return rs
}

func (rs *releaseServer) asked() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return slices.Clone(rs.paths)
}

// installRun is one run of scripts/action-install.sh and what it left.
type installRun struct {
	code           int
	stderr         string
	output         string // what it wrote to GITHUB_OUTPUT
	runnerTemp     string
	stdoutNotEmpty bool
}

// runInstall runs the install script as action.yml's step does, with a
// fresh RUNNER_TEMP and GITHUB_OUTPUT and env on top of this process's.
func runInstall(tb testing.TB, env ...string) installRun {
	tb.Helper()
	run := installRun{runnerTemp: tb.TempDir()}
	output := filepath.Join(tb.TempDir(), "github_output")
	cmd := exec.CommandContext(tb.Context(), "bash", installScript)
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+run.runnerTemp, "GITHUB_OUTPUT="+output,
		"ACTION_REF=", "ACTION_REPOSITORY=", "COMMIT_LABELER_RELEASE_URL=")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		run.code = ee.ExitCode()
	} else if err != nil {
		tb.Fatal(err)
	}
	run.stderr, run.stdoutNotEmpty = stderr.String(), stdout.Len() > 0
	if b, err := os.ReadFile(output); err == nil {
		run.output = string(b)
	}
	return run
}

// TestActionInstall: action.yml's install step against a stand-in for
// GitHub's release downloads. A release for the ref is checked and
// unpacked, a tarball whose checksum differs is refused, and everything
// else leaves the bot to be built from source.
func TestActionInstall(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "sha256sum", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH: the install script needs it", tool)
		}
	}
	arch := releaseArch(t)
	name := "commit-labeler-bot-linux-" + arch
	tarball := name + ".tar.gz"
	standIn := "#!/bin/sh\necho \"stand-in bot $*; ONNXRUNTIME_LIB=$ONNXRUNTIME_LIB\"\n"
	good := releaseTarball(t, map[string]string{name + "/commit-labeler-bot": standIn, name + "/libonnxruntime.so.1": "ort"})
	broken := releaseTarball(t, map[string]string{
		name + "/commit-labeler-bot":  "#!/bin/sh\necho 'version GLIBC_2.39 not found' >&2\nexit 1\n",
		name + "/libonnxruntime.so.1": "ort"})
	otherArch := "commit-labeler-bot-linux-riscv64.tar.gz"
	sums := func(tarballs map[string][]byte) []byte {
		var b strings.Builder
		for n, content := range tarballs {
			fmt.Fprintf(&b, "%s  %s\n", sha256Hex(content), n)
		}
		return []byte(b.String())
	}
	const tagPrefix = "/octo/commit-labeler/releases/download/v1.2.3"
	ofRef := []string{"ACTION_REPOSITORY=octo/commit-labeler", "ACTION_REF=v1.2.3"}
	for _, tc := range []struct {
		name      string
		prefix    string            // where the stand-in serves files
		files     map[string][]byte // what it serves there
		status    int               // else, what it answers every request with
		env       []string          // on top of GITHUB_SERVER_URL
		code      int
		installed bool
		stderr    []string
		asked     []string // the paths requested, when checked
	}{
		{name: "the release of the Action's ref", prefix: tagPrefix, files: map[string][]byte{"SHA256SUMS": sums(map[string][]byte{tarball: good, otherArch: broken}), tarball: good},
			env: ofRef, installed: true, stderr: []string{"installed " + tarball, sha256Hex(good)},
			asked: []string{tagPrefix + "/SHA256SUMS", "/assets/SHA256SUMS", tagPrefix + "/" + tarball, "/assets/" + tarball}},
		{name: "COMMIT_LABELER_RELEASE_URL instead", prefix: "/mirror", files: map[string][]byte{"SHA256SUMS": sums(map[string][]byte{tarball: good}), tarball: good},
			env: append(ofRef, "COMMIT_LABELER_RELEASE_URL={server}/mirror/"), installed: true},
		{name: "a checksum that differs", prefix: tagPrefix, files: map[string][]byte{"SHA256SUMS": sums(map[string][]byte{tarball: broken}), tarball: good},
			env: ofRef, code: 1, stderr: []string{"::error title=commit-labeler::" + tarball, "SHA-256 " + sha256Hex(good), "SHA256SUMS says " + sha256Hex(broken), "refusing"}},
		{name: "a branch or commit: no release", prefix: tagPrefix, files: map[string][]byte{}, env: []string{"ACTION_REPOSITORY=octo/commit-labeler", "ACTION_REF=main"},
			stderr: []string{"/octo/commit-labeler/releases/download/main (404): building the bot from source"}},
		{name: "no tarball for this architecture", prefix: tagPrefix, files: map[string][]byte{"SHA256SUMS": sums(map[string][]byte{otherArch: good}), tarball: good},
			env: ofRef, stderr: []string{"SHA256SUMS lists no " + tarball + ": building the bot from source"},
			asked: []string{tagPrefix + "/SHA256SUMS", "/assets/SHA256SUMS"}},
		{name: "a server error", status: http.StatusBadGateway, env: ofRef,
			stderr: []string{"::warning title=commit-labeler::", "SHA256SUMS: HTTP 502: building the bot from source"}},
		{name: "a binary that does not run on the runner", prefix: tagPrefix, files: map[string][]byte{"SHA256SUMS": sums(map[string][]byte{tarball: broken}), tarball: broken},
			env: ofRef, stderr: []string{"::warning title=commit-labeler::" + name + "/commit-labeler-bot does not run on this runner: version GLIBC_2.39 not found: building the bot from source"}},
		{name: "a local action: no repository or ref", prefix: tagPrefix, files: map[string][]byte{},
			stderr: []string{"the Action has no repository and ref (a local action): building the bot from source"}, asked: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newReleaseServer(t, tc.prefix, tc.files, tc.status)
			env := []string{"GITHUB_SERVER_URL=" + srv.URL}
			for _, e := range tc.env {
				env = append(env, strings.ReplaceAll(e, "{server}", srv.URL))
			}
			run := runInstall(t, env...)
			if run.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", run.code, tc.code, run.stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(run.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, run.stderr)
				}
			}
			if run.stdoutNotEmpty {
				t.Errorf("the script wrote to stdout: its messages belong on stderr")
			}
			if tc.asked != nil && !slices.Equal(srv.asked(), tc.asked) {
				t.Errorf("requests %q, want %q", srv.asked(), tc.asked)
			}
			dir := filepath.Join(run.runnerTemp, name)
			if !tc.installed {
				if run.output != "" {
					t.Errorf("GITHUB_OUTPUT %q, want nothing: action.yml must build from source or stop", run.output)
				}
				if _, err := os.Stat(dir); err == nil {
					t.Errorf("%s left in place", dir)
				}
				return
			}
			if run.output != "dir="+dir+"\n" {
				t.Fatalf("GITHUB_OUTPUT %q, want dir=%s", run.output, dir)
			}
			// What action.yml's Label step runs.
			label := exec.CommandContext(t.Context(), filepath.Join(dir, "commit-labeler-bot"), "action", "--dry-run=true")
			label.Env = append(os.Environ(), "ONNXRUNTIME_LIB="+filepath.Join(dir, "libonnxruntime.so.1"))
			out, err := label.CombinedOutput()
			if want := "stand-in bot action --dry-run=true; ONNXRUNTIME_LIB=" + dir + "/libonnxruntime.so.1"; err != nil || strings.TrimSpace(string(out)) != want {
				t.Errorf("the installed bot: %v, %q; want %q", err, out, want)
			}
		})
	}
}

// TestReleaseWorkflow: .github/workflows/release.yml builds on a pushed
// tag v* for both architectures on their own runners, and publishes the
// tarballs the install script asks for with their SHA256SUMS.
func TestReleaseWorkflow(t *testing.T) {
	raw, err := os.ReadFile("../../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			Push struct {
				Tags []string `yaml:"tags"`
			} `yaml:"push"`
		} `yaml:"on"`
		Jobs map[string]struct {
			RunsOn      string            `yaml:"runs-on"`
			Needs       any               `yaml:"needs"`
			Permissions map[string]string `yaml:"permissions"`
			Strategy    struct {
				Matrix struct {
					Include []map[string]string `yaml:"include"`
				} `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]any    `yaml:"with"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("release.yml: %v", err)
	}
	if !slices.Equal(wf.On.Push.Tags, []string{"v*"}) {
		t.Errorf("on.push.tags %q, want [v*]", wf.On.Push.Tags)
	}
	build, publish := wf.Jobs["build"], wf.Jobs["publish"]
	var platforms []string
	for _, m := range build.Strategy.Matrix.Include {
		platforms = append(platforms, m["runner"]+"/"+m["arch"])
	}
	if want := []string{"ubuntu-24.04/amd64", "ubuntu-24.04-arm/arm64"}; !slices.Equal(platforms, want) || build.RunsOn != "${{ matrix.runner }}" {
		t.Errorf("build runs on %s over %q, want its matrix of %q", build.RunsOn, platforms, want)
	}
	var builds bool
	for _, s := range build.Steps {
		builds = builds || strings.Contains(s.Run, "scripts/release-pack.sh")
	}
	if !builds {
		t.Error("the build job does not run scripts/release-pack.sh")
	}
	if publish.Needs != "build" || publish.Permissions["contents"] != "write" {
		t.Errorf("publish needs %v with permissions %v, want build and contents: write", publish.Needs, publish.Permissions)
	}
	var upload string
	for _, s := range publish.Steps {
		upload += s.Run
	}
	for _, w := range []string{"sha256sum commit-labeler-bot-linux-amd64.tar.gz commit-labeler-bot-linux-arm64.tar.gz >SHA256SUMS",
		"gh release upload", "commit-labeler-bot-linux-amd64.tar.gz commit-labeler-bot-linux-arm64.tar.gz SHA256SUMS"} {
		if !strings.Contains(upload, w) {
			t.Errorf("the publish job does not run %q:\n%s", w, upload)
		}
	}
}

// BenchmarkActionDryRun runs the installed release binary as action.yml's
// Label step does, `commit-labeler-bot action --dry-run`, on GitHub's
// example of an opened pull request against the fake GitHub: with a fresh
// COMMIT_LABELER_CACHE, as on a hosted runner (the model is extracted), and
// with the cache of an earlier run. COMMIT_LABELER_BOT_DIR names the
// unpacked release (scripts/measure-action.sh sets it).
func BenchmarkActionDryRun(b *testing.B) {
	dir := os.Getenv("COMMIT_LABELER_BOT_DIR")
	if dir == "" {
		b.Skip("COMMIT_LABELER_BOT_DIR is not set: scripts/measure-action.sh installs a release and sets it")
	}
	var payload []byte
	for _, raw := range ghexamples.Load(b)["pull_request"] {
		var ev github.PullRequestEvent
		if json.Unmarshal(raw, &ev) == nil && ev.GetAction() == "opened" && !ev.GetPullRequest().GetDraft() {
			payload = raw
			break
		}
	}
	fake := fakegithub.New(b)
	repos := fakegithub.NewRepos(fake)
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		b.Fatal(err)
	}
	repos.Add(&fakegithub.Repo{Owner: "Codertocat", Name: "Hello-World", InstallationID: 1, DefaultBranch: "master",
		Pulls: map[int]*fakegithub.Pull{ev.GetNumber(): {PullRequest: ev.PullRequest,
			Files: []*github.CommitFile{{Filename: new("README.md"), Status: new("modified"), Additions: new(1)}}}}})
	eventPath := filepath.Join(b.TempDir(), "event.json")
	if err := os.WriteFile(eventPath, payload, 0o600); err != nil {
		b.Fatal(err)
	}
	step := func(cache string) {
		cmd := exec.CommandContext(b.Context(), filepath.Join(dir, "commit-labeler-bot"), "action", "--dry-run=true")
		cmd.Env = append(os.Environ(), "COMMIT_LABELER_CACHE="+cache, "ONNXRUNTIME_LIB="+filepath.Join(dir, "libonnxruntime.so.1"),
			"GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+eventPath, "GITHUB_REPOSITORY=Codertocat/Hello-World",
			"GITHUB_API_URL="+fake.URL, "GITHUB_TOKEN="+fake.JobToken(1), "GITHUB_STEP_SUMMARY="+filepath.Join(cache, "summary.md"))
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "::notice title=commit-labeler::") {
			b.Fatalf("%v\n%s", err, out)
		}
	}
	b.Run("fresh cache", func(b *testing.B) {
		for b.Loop() {
			step(b.TempDir())
		}
	})
	b.Run("warm cache", func(b *testing.B) {
		cache := b.TempDir()
		step(cache)
		for b.Loop() {
			step(cache)
		}
	})
}
