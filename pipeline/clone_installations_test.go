package pipeline

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
	"github.com/commit-labeler/commit-labeler/internal/gittest"
	"github.com/commit-labeler/commit-labeler/store"
)

// TestCloneInstallations clones every repository of two installations
// (listed over several pages) from a smart-HTTP git server that, like
// GitHub, wants the installation token as a Basic credential, and checks that
// the token is written nowhere.
func TestCloneInstallations(t *testing.T) {
	ctx := context.Background()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	fake := fakegithub.New(t, fakegithub.WithApp(77, key), fakegithub.WithMaxPerPage(1))

	installationOf := map[string]int64{"octo-org": 1, "alice": 2}
	root := t.TempDir()
	heads := map[string]string{}
	for _, full := range []string{"octo-org/a", "octo-org/b", "alice/dots", "alice/secret"} {
		work := filepath.Join(t.TempDir(), "work")
		gittest.Init(t, work, "main")
		heads[full] = gittest.Commit(t, work, map[string]string{"README": full + "\n"}, "docs: "+full)
		gittest.Git(t, work, "clone", "--quiet", "--bare", work, filepath.Join(root, full+".git"))
	}
	var gitRequests atomic.Int64
	srv := gittest.ServeHTTP(t, root, func(r *http.Request) bool {
		gitRequests.Add(1)
		user, token, ok := r.BasicAuth()
		owner, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		id, known := fake.TokenInstallation(token)
		// alice/secret is listed but refused, as when the App lost access.
		return ok && user == "x-access-token" && known && id == installationOf[owner] &&
			!strings.HasPrefix(r.URL.Path, "/alice/secret.git")
	})
	repo := func(full string, private bool) *github.Repository {
		owner, name, _ := strings.Cut(full, "/")
		return fakegithub.NewRepository(owner, name, srv.URL+"/"+full+".git", private)
	}
	fake.AddInstallation(fakegithub.NewInstallation(1, "octo-org", "Organization"), repo("octo-org/a", false), repo("octo-org/b", true))
	fake.AddInstallation(fakegithub.NewInstallation(2, "alice", "User"), repo("alice/dots", false), repo("alice/secret", true))
	suspended := fakegithub.NewInstallation(3, "mallory", "User")
	suspended.SuspendedAt = &github.Timestamp{Time: time.Now()}
	fake.AddInstallation(suspended, repo("mallory/x", false))

	workdir := t.TempDir()
	env, logs := newLoggedEnv(t, Options{
		Workdir:       workdir,
		Installations: true,
		App:           ghapp.Config{AppID: 77, PrivateKey: keyPEM, APIURL: fake.URL},
	})
	counts, err := Clone(ctx, env)
	wantCounts(t, counts, Counts{"installations": 3, "repositories": 4, "cloned": 3, "failed": 1})
	if err == nil || !strings.Contains(err.Error(), "repository alice/secret ("+srv.URL+"/alice/secret.git)") {
		t.Fatalf("err = %v, want a failure naming alice/secret", err)
	}
	errText := err.Error()

	repos := storedRepos(t, env.DB)
	for full, head := range heads {
		if full == "alice/secret" {
			continue
		}
		want := store.Repository{
			ID: repos[full].ID, Name: full, URL: srv.URL + "/" + full + ".git", InstallationID: installationOf[strings.Split(full, "/")[0]],
			ClonePath: filepath.Join(workdir, strings.ReplaceAll(full, "/", "__")+".git"), Head: head,
		}
		if repos[full] != want {
			t.Errorf("stored %+v, want %+v", repos[full], want)
		}
	}
	listed, err := env.DB.InstallationRepositories(ctx)
	if err != nil || len(listed) != 4 {
		t.Errorf("stored installation repositories %+v (%v), want 4", listed, err)
	}
	var secondPages int
	for _, r := range fake.Requests() {
		if r.Query.Get("page") == "2" {
			secondPages++
		}
	}
	if secondPages < 3 {
		t.Errorf("%d requests for a second page, want 3 (installations, and the repositories of each)", secondPages)
	}

	counts, err = Clone(ctx, env)
	wantCounts(t, counts, Counts{"repositories": 4, "fetched": 3, "failed": 1})
	if err == nil {
		t.Fatal("the refused repository did not fail on the second run")
	}
	errText += err.Error()
	if gitRequests.Load() == 0 {
		t.Fatal("the git server saw no request")
	}

	// The token reached git only through its environment.
	tokens := fake.Tokens()
	if len(tokens) != 4 {
		t.Fatalf("%d tokens issued, want 4 (one per active installation and run)", len(tokens))
	}
	var secrets []string
	for _, tok := range tokens {
		secrets = append(secrets, tok, base64.StdEncoding.EncodeToString([]byte("x-access-token:"+tok)))
	}
	places := map[string]string{"the log": logs.String(), "the errors": errText}
	for _, r := range storedRepos(t, env.DB) {
		places["the stored URL of "+r.Name] = r.URL
	}
	for _, dir := range []string{workdir, filepath.Dir(env.DB.Path())} {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			places[path] = string(b)
			return err
		})
	}
	for where, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("an installation token is in %s", where)
			}
		}
	}
}
