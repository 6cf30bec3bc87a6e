package fakegithub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/commit-labeler/commit-labeler/internal/ghspec"
)

// The oracle holds the fake to what GitHub publishes about its REST API:
// @octokit/openapi's description of api.github.com. Every request the
// fake receives is checked against it (method, path, parameters, body
// schema) before a handler sees it, and every response a handler writes
// against the operation's response schema; a violation names the
// operation and the field, and fails the test that caused it.
//
// kin-openapi was measured against libopenapi-validator on the 13 MB
// description: it loads in 3.0 s to a 65 MiB heap and checks a request
// in 0.1-0.3 ms; libopenapi-validator v0.16.3 took 4 min 40 s and 569 MiB
// to load. The description is loaded once per test binary.
type oracle struct {
	router routers.Router
}

// apiOrigin is the server the description names; requests are matched as
// if sent there.
const apiOrigin = "https://api.github.com"

var (
	oracleOnce sync.Once
	loaded     *oracle
	oracleErr  error
)

// loadOracle returns the oracle, loading the description on first use.
func loadOracle() (*oracle, error) {
	oracleOnce.Do(func() {
		path := ghspec.Path(ghspec.RESTDotCom)
		data, err := os.ReadFile(path)
		if err != nil {
			oracleErr = fmt.Errorf("GitHub's OpenAPI description: %w (run scripts/fetch-github-descriptions.sh)", err)
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			oracleErr = fmt.Errorf("GitHub's OpenAPI description %s: %w", path, err)
			return
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			oracleErr = fmt.Errorf("GitHub's OpenAPI description %s: routes: %w", path, err)
			return
		}
		loaded = &oracle{router: router}
	})
	return loaded, oracleErr
}

// checkedRequest is a request matched to its operation.
type checkedRequest struct {
	input     *openapi3filter.RequestValidationInput
	operation string
}

// options: authentication is the fake's own business (auth.go); the
// oracle checks shapes.
var oracleOptions = &openapi3filter.Options{
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	MultiError:         true,
}

// checkRequest matches r (whose body is body) to an operation of the
// description and checks it. The returned request is nil when no
// operation matches.
func (o *oracle) checkRequest(r *http.Request, body []byte) (*checkedRequest, error) {
	u, _ := url.Parse(apiOrigin)
	u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	req := r.Clone(r.Context())
	req.URL, req.Host = u, u.Host
	route, params, err := o.findRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: GitHub's REST API has no such operation (%v)", r.Method, r.URL.Path, err)
	}
	if rb := route.Operation.RequestBody; rb != nil && !rb.Value.Required && bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// ghinstallation asks for a token with the body null, which GitHub
		// takes as no body: the body is optional there.
		body = nil
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	checked := &checkedRequest{
		input:     &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: oracleOptions},
		operation: route.Operation.OperationID,
	}
	if err := openapi3filter.ValidateRequest(context.Background(), checked.input); err != nil {
		return checked, fmt.Errorf("%s %s (%s): request: %s", r.Method, r.URL.Path, checked.operation, describe(err, nil))
	}
	return checked, nil
}

// completeResponse fills in what a handler left out of a JSON answer and
// GitHub's schema requires. The fakes encode go-github's types, whose
// omitempty drops false, 0, "" and empty lists that GitHub sends, and they
// model only what the product reads. So a missing required member gets
// its zero: false, 0, [], null where the schema allows null, an object
// filled alike; a string takes GitHub's own example of the response (URLs,
// node ids), else "". The handler's values always stand.
//
// It returns the body to send and the handler's own, decoded (nil when it
// is no JSON).
func (o *oracle) completeResponse(c *checkedRequest, status int, body []byte) ([]byte, any) {
	var own any
	if err := json.Unmarshal(body, &own); err != nil {
		return body, nil // the schema check names it
	}
	ref := c.input.Route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return body, own
	}
	media := ref.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return body, own
	}
	example := media.Example
	if example == nil {
		// "default", else the first by name: check runs' examples are
		// "example-of-completed-conclusion" and the like.
		for _, name := range slices.Sorted(maps.Keys(media.Examples)) {
			if ex := media.Examples[name]; ex != nil && ex.Value != nil && (example == nil || name == "default") {
				example = ex.Value.Value
			}
		}
	}
	var copied any
	json.Unmarshal(body, &copied)
	merged, err := json.Marshal(complete(copied, media.Schema.Value, example))
	if err != nil {
		return body, own
	}
	return merged, own
}

// complete returns v with the required members schema names and v lacks.
func complete(v any, schema *openapi3.Schema, example any) any {
	if schema != nil && len(schema.AllOf) > 0 {
		for _, part := range schema.AllOf {
			if part.Value != nil {
				v = complete(v, part.Value, example)
			}
		}
		return v
	}
	schema = variant(schema, v)
	if schema == nil {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		ex, _ := example.(map[string]any)
		for _, name := range schema.Required {
			prop := schema.Properties[name]
			if _, ok := v[name]; !ok && prop != nil && prop.Value != nil {
				v[name] = zero(prop.Value, ex[name])
			}
		}
		for name, val := range v {
			if prop := schema.Properties[name]; prop != nil && prop.Value != nil {
				v[name] = complete(val, prop.Value, ex[name])
			}
		}
	case []any:
		var ex any
		if exs, ok := example.([]any); ok && len(exs) > 0 {
			ex = exs[0]
		}
		if schema.Items != nil && schema.Items.Value != nil {
			for i := range v {
				v[i] = complete(v[i], schema.Items.Value, ex)
			}
		}
	}
	return v
}

// zero is the value a missing required member gets.
func zero(schema *openapi3.Schema, example any) any {
	if schema != nil && len(schema.AllOf) > 0 && !schema.Nullable {
		ex, _ := example.(map[string]any)
		return complete(map[string]any{}, schema, ex)
	}
	schema = variant(schema, nil)
	switch {
	case schema == nil || schema.Nullable:
		return nil
	case schema.Type.Is("boolean"):
		return false
	case schema.Type.Is("integer"), schema.Type.Is("number"):
		return 0
	case schema.Type.Is("array"):
		return []any{}
	case schema.Type.Is("object"):
		ex, _ := example.(map[string]any)
		return complete(map[string]any{}, schema, ex)
	case schema.Type.Is("string"):
		if s, ok := example.(string); ok {
			return s
		}
		if len(schema.Enum) > 0 {
			return schema.Enum[0]
		}
	}
	return ""
}

// variant picks the schema of oneOf/anyOf that v's kind fits (the first,
// for no value), or schema itself when it has none.
func variant(schema *openapi3.Schema, v any) *openapi3.Schema {
	if schema == nil {
		return nil
	}
	var refs openapi3.SchemaRefs
	switch {
	case len(schema.OneOf) > 0:
		refs = schema.OneOf
	case len(schema.AnyOf) > 0:
		refs = schema.AnyOf
	default:
		return schema
	}
	for _, r := range refs {
		if r.Value == nil {
			continue
		}
		_, isArray := v.([]any)
		if v == nil || r.Value.Type.Is("array") == isArray {
			return variant(r.Value, v)
		}
	}
	return nil
}

// findRoute matches req to an operation. A file's {path} holds slashes
// on GitHub (contents/{path}: ".github/commit-labeler.yml"), which the
// router's parameters never match: on a miss the path's tail is tried as
// one escaped {path}, shortest first.
func (o *oracle) findRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := o.router.FindRoute(req)
	if err == nil {
		return route, params, nil
	}
	segments := strings.Split(strings.TrimPrefix(req.URL.Path, "/"), "/")
	for i := len(segments) - 2; i > 0; i-- {
		tail := url.PathEscape(strings.Join(segments[i:], "/"))
		try := *req.URL
		try.Path = "/" + strings.Join(segments[:i], "/") + "/" + strings.Join(segments[i:], "/")
		try.RawPath = "/" + strings.Join(segments[:i], "/") + "/" + tail
		alt := req.Clone(req.Context())
		alt.URL = &try
		if route, params, e := o.router.FindRoute(alt); e == nil && lastParam(route.Path) == "path" {
			params[lastParam(route.Path)] = strings.Join(segments[i:], "/")
			return route, params, nil
		}
	}
	return nil, nil, err
}

// lastParam is the name of a route's last path parameter.
func lastParam(path string) string {
	i := strings.LastIndex(path, "{")
	return strings.Trim(path[i:], "{}")
}

// checkResponse checks what a handler answered to a checked request.
// Only what the handler sent is judged: GitHub's examples break GitHub's
// schemas here and there (pulls/get's requested_teams lack "type"), and
// those are not the fake's to answer for.
func (o *oracle) checkResponse(c *checkedRequest, status int, header http.Header, body []byte, own any) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.input,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                oracleOptions,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		if why := describe(err, func(field []string) bool { return sent(own, field) }); why != "" {
			return fmt.Errorf("%s %s (%s): response %d: %s", c.input.Request.Method, c.input.Request.URL.Path, c.operation, status, why)
		}
	}
	return nil
}

// describe says which fields broke which rule, one line each, without the
// schema dumps kin-openapi's messages carry.
// judged, when not nil, says which fields count.
func describe(err error, judged func(field []string) bool) string {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var schema *openapi3.SchemaError
		if errors.As(err, &schema) {
			if judged != nil && !judged(schema.JSONPointer()) {
				return
			}
			field := "/" + strings.Join(schema.JSONPointer(), "/")
			lines = append(lines, fmt.Sprintf("field %s: %s", field, schema.Reason))
			return
		}
		var param *openapi3filter.RequestError
		if errors.As(err, &param) && param.Parameter != nil {
			lines = append(lines, fmt.Sprintf("parameter %s (%s): %s", param.Parameter.Name, param.Parameter.In, firstLine(param.Err)))
			return
		}
		lines = append(lines, firstLine(err))
	}
	walk(err)
	return strings.Join(lines, "; ")
}

// sent says whether the handler's own body holds the member a field path
// starts with (for an array, the item's member).
func sent(own any, field []string) bool {
	v := own
	for depth, key := range field {
		switch t := v.(type) {
		case map[string]any:
			child, ok := t[key]
			if !ok {
				// A missing property of the body itself is the handler's;
				// deeper, of an object the handler sent, too.
				return depth > 0 || len(field) == 1
			}
			v = child
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i >= len(t) {
				return false
			}
			v = t[i]
		default:
			return true
		}
	}
	return true
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
