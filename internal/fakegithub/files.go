package fakegithub

import (
	"fmt"
	"net/url"

	"github.com/google/go-github/v93/github"
)

// servedFiles returns files as GitHub lists them (diff-entry): a test
// gives what it cares about (name, status, counts) and the fields GitHub
// always sends are filled: sha, changes and the blob, raw and contents
// URLs.
func (repo *Repo) servedFiles(files []*github.CommitFile) []*github.CommitFile {
	out := make([]*github.CommitFile, len(files))
	for i, f := range files {
		c := *f
		name := c.GetFilename()
		if c.SHA == nil {
			c.SHA = new(blobSHA(name + "\x00" + c.GetStatus()))
		}
		if c.Changes == nil {
			c.Changes = new(c.GetAdditions() + c.GetDeletions())
		}
		base := fmt.Sprintf("https://github.com/%s/%s", repo.Owner, repo.Name)
		if c.BlobURL == nil {
			c.BlobURL = new(base + "/blob/" + c.GetSHA() + "/" + name)
		}
		if c.RawURL == nil {
			c.RawURL = new(base + "/raw/" + c.GetSHA() + "/" + name)
		}
		if c.ContentsURL == nil {
			c.ContentsURL = new(fmt.Sprintf("https://api.github.com/repos/%s/%s/contents/%s?ref=%s",
				repo.Owner, repo.Name, name, url.QueryEscape(c.GetSHA())))
		}
		out[i] = &c
	}
	return out
}
