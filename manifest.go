package commitlabeler

import (
	"bytes"
	_ "embed"
)

//go:embed app.yml
var appManifest []byte

// AppManifest returns app.yml, the GitHub App manifest `bot setup` posts to
// GitHub: built into the binary, so that setup works from any directory.
func AppManifest() []byte { return bytes.Clone(appManifest) }
