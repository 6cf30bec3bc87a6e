package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"

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
		WriteJSON(w, http.StatusOK, &github.RepositoryContent{
			Type:     new("file"),
			Encoding: new("base64"),
			Path:     &path,
			Size:     new(len(content)),
			SHA:      new(blobSHA(content)),
			Content:  new(base64.StdEncoding.EncodeToString([]byte(content))),
		})
	})
	rs.handle("GET /repos/{owner}/{repo}/commits/{sha}", func(w http.ResponseWriter, r *http.Request, repo *Repo) {
		if c, ok := repo.Commits[r.PathValue("sha")]; ok {
			WriteJSON(w, http.StatusOK, c)
			return
		}
		WriteError(w, http.StatusUnprocessableEntity, "No commit found for SHA: "+r.PathValue("sha"))
	})
}

// blobSHA is git's object id of a blob with the content.
func blobSHA(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00%s", len(content), content)
	return hex.EncodeToString(h.Sum(nil))
}
