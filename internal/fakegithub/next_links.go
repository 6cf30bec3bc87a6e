package fakegithub

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
)

// NextLinks serves s behind a proxy that replaces the Link header of every
// answer to a GET with one naming the next page next returns, given the
// query the request asked with (page, per_page, cursor, ...). It stands for
// a server whose Link does not advance: a mock built from GitHub's OpenAPI
// description names page 2 as the next page of every page. It returns the
// proxy's API root, for clients in place of s.URL; s still records every
// request. The proxy is closed when the test ends.
func NextLinks(t testing.TB, s *Server, next func(asked url.Values) url.Values) string {
	t.Helper()
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodGet {
			return nil
		}
		u := *resp.Request.URL
		u.RawQuery = next(u.Query()).Encode()
		resp.Header.Set("Link", fmt.Sprintf("<%s>; rel=%q", u.String(), "next"))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// NextIsPage2 names page 2 as the next page of every page, as the example
// Link of GitHub's OpenAPI description does: a NextLinks function.
func NextIsPage2(asked url.Values) url.Values {
	asked.Set("page", "2")
	return asked
}
