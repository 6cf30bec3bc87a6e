package fakegithub

import (
	"net/http"
	"sync"

	"github.com/google/go-github/v93/github"
)

// ServeManifestConversions registers POST /app-manifests/{code}/conversions,
// which GitHub answers once per code (201 with the new App's id, key and
// webhook secret) and with 404 afterwards or for an unknown code. codes maps
// each code to the App it creates.
func ServeManifestConversions(s *Server, codes map[string]*github.AppConfig) {
	var mu sync.Mutex
	s.Handle("POST /app-manifests/{code}/conversions", AuthNone, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cfg, ok := codes[r.PathValue("code")]
		delete(codes, r.PathValue("code"))
		mu.Unlock()
		if !ok {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		WriteJSON(w, http.StatusCreated, cfg)
	})
}
