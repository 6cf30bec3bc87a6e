package adminauth

import (
	"html/template"
	"net/http"
)

// signInPage is what a browser gets instead of the page: why, and the way
// in when there is one.
var signInPage = template.Must(template.New("sign-in").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>commit-labeler bot: admin</title></head>
<body style="font: 15px/1.5 system-ui, sans-serif; margin: 40px">
<h1>commit-labeler bot</h1>
<p>{{.Message}}</p>
{{- if .Login}}
<p><a href="{{.Login}}">Sign in with GitHub</a> to see the repositories you can access.</p>
{{- end}}
</body></html>
`))

// page answers status with a page saying message and, with GitHub
// sign-in configured, the link to sign in.
func (g *Guard) page(w http.ResponseWriter, status int, message string) {
	g.render(w, status, message, g.base != nil)
}

func (g *Guard) render(w http.ResponseWriter, status int, message string, offerSignIn bool) {
	login := ""
	if offerSignIn {
		login = g.base.JoinPath(PathLogin).Path
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	signInPage.Execute(w, struct{ Message, Login string }{message, login})
}

// refuse answers 401 to a request without a credential it may be served
// on, naming the bearer scheme for automation and, where people may sign
// in, offering it.
func (g *Guard) refuse(w http.ResponseWriter, r *http.Request, people bool) {
	challenge := `Bearer realm="commit-labeler admin"`
	if _, err := bearer(r); err == nil {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	if people && g.base != nil {
		g.render(w, http.StatusUnauthorized, "Sign in to see this page.", true)
		return
	}
	g.render(w, http.StatusUnauthorized, "This page needs a bearer token.", false)
}
