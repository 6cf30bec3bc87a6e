package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// defaultPerPage is GitHub's page size when the client asks for none.
const defaultPerPage = 30

// WriteJSON writes v as the JSON body with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// WriteError writes GitHub's error body (github.ErrorResponse on the client).
func WriteError(w http.ResponseWriter, status int, message string) {
	// Not github.ErrorResponse: its "errors" would go out as null, which
	// GitHub never sends.
	WriteJSON(w, status, struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}{message, "https://docs.github.com/rest"})
}

// Paginate returns the page of items the request asks for (page, per_page,
// capped by WithMaxPerPage) and sets the Link header (prev, first, next,
// last) the way GitHub does.
func Paginate[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) []T {
	q := r.URL.Query()
	perPage := atoiOr(q.Get("per_page"), defaultPerPage)
	perPage = min(max(perPage, 1), s.maxPerPage)
	last := max((len(items)+perPage-1)/perPage, 1)
	n := min(max(atoiOr(q.Get("page"), 1), 1), last+1)

	link := func(p int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if n > 1 {
		links = append(links, link(n-1, "prev"), link(1, "first"))
	}
	if n < last {
		links = append(links, link(n+1, "next"), link(last, "last"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo := min((n-1)*perPage, len(items))
	if lo == len(items) {
		return []T{} // an empty page is [], never null
	}
	return items[lo:min(lo+perPage, len(items))]
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
