package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	pathpkg "path"
	"strings"

	"github.com/google/go-github/v93/github"
)

func (rs *Repos) registerContents() {
	rs.handle("GET /repos/{owner}/{repo}/contents/{path...}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if ref := r.URL.Query().Get("ref"); ref != "" && ref != repo.DefaultBranch {
			WriteError(w, http.StatusNotFound, "No commit found for the ref "+ref)
			return
		}
		path := r.PathValue("path")
		content, ok := repo.Files[path]
		if !ok {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		sha := blobSHA(content)
		api := fmt.Sprintf("https://api.github.com/repos/%s/%s", repo.Owner, repo.Name)
		self := api + "/contents/" + path + "?ref=" + repo.DefaultBranch
		html := fmt.Sprintf("https://github.com/%s/%s/blob/%s/%s", repo.Owner, repo.Name, repo.DefaultBranch, path)
		// go-github's type has no _links, which GitHub always sends.
		type withLinks struct {
			*github.RepositoryContent
			Links map[string]string `json:"_links"`
		}
		WriteJSON(w, http.StatusOK, withLinks{&github.RepositoryContent{
			Type:        new("file"),
			Encoding:    new("base64"),
			Name:        new(pathpkg.Base(path)),
			Path:        &path,
			Size:        new(len(content)),
			SHA:         &sha,
			Content:     new(wrapBase64(content)),
			URL:         &self,
			GitURL:      new(api + "/git/blobs/" + sha),
			HTMLURL:     &html,
			DownloadURL: new(fmt.Sprintf("https://raw.githubusercontent.com/%s/%s/%s/%s", repo.Owner, repo.Name, repo.DefaultBranch, path)),
		}, map[string]string{"self": self, "git": api + "/git/blobs/" + sha, "html": html}})
	})
	rs.handle("GET /repos/{owner}/{repo}/commits/{sha}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if c, ok := repo.Commits[r.PathValue("sha")]; ok {
			served := *c
			served.Files = repo.servedFiles(c.Files)
			WriteJSON(w, http.StatusOK, &served)
			return
		}
		WriteError(w, http.StatusUnprocessableEntity, "No commit found for SHA: "+r.PathValue("sha"))
	})
}

// wrapBase64 encodes content as GitHub's contents API does: base64 with
// a line break after every 60 characters.
func wrapBase64(content string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(content))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

// blobSHA is git's object id of a blob with the content.
func blobSHA(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00%s", len(content), content)
	return hex.EncodeToString(h.Sum(nil))
}
