package ghexamples

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/commit-labeler/commit-labeler/internal/ghspec"
)

// webhookSchemas compiles @octokit/webhooks-schemas' definitions on
// demand, one per event and action.
type webhookSchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	defs     map[string]any
	required map[string][]string
	compiled map[string]*jsonschema.Schema
}

var (
	schemasOnce sync.Once
	schemas     *webhookSchemas
	schemasErr  error
)

const webhookSchemaURL = "file:///webhooks-schemas/schema.json"

func loadWebhookSchemas() (*webhookSchemas, error) {
	schemasOnce.Do(func() {
		path := ghspec.Path(ghspec.WebhookSchema)
		raw, err := os.ReadFile(path)
		if err != nil {
			schemasErr = err
			return
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			schemasErr = fmt.Errorf("%s: %w", path, err)
			return
		}
		examples, err := Read()
		if err != nil {
			schemasErr = err
			return
		}
		defs, _ := doc["definitions"].(map[string]any)
		top := map[string][]string{}
		for name, def := range defs {
			top[name] = requiredOfExamples(def, examples, name)
		}
		c := jsonschema.NewCompiler()
		// The library's uri-template check refuses RFC 6570's {/var}
		// expressions, which every GitHub user object carries
		// ("gists_url": ".../gists{/gist_id}"): accepted as any string.
		c.RegisterFormat(&jsonschema.Format{Name: "uri-template", Validate: func(any) error { return nil }})
		if err := c.AddResource(webhookSchemaURL, typesOnly(doc)); err != nil {
			schemasErr = err
			return
		}
		schemas = &webhookSchemas{compiler: c, defs: defs, required: top, compiled: map[string]*jsonschema.Schema{}}
	})
	return schemas, schemasErr
}

// typesOnly drops the schemas' "required" lists below the payload's own
// members (and so turns oneOf into anyOf, which no longer tells object
// variants apart). GitHub's own examples, the payloads the tests send,
// predate many nested members the schemas now require
// (repository.custom_properties, installation.suspended_by): what the
// check holds a payload to is the type, format and enum of every member
// it carries, and the members of the event itself (requiredOfExamples).
func typesOnly(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			_, isList := val.([]any)
			if isList && k == "required" {
				continue
			}
			if isList && k == "oneOf" {
				k = "anyOf"
			}
			out[k] = typesOnly(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = typesOnly(val)
		}
		return out
	}
	return v
}

// requiredOfExamples is what a definition ("pull_request$opened")
// requires of the event's own members, less what GitHub's own examples of
// it leave out.
func requiredOfExamples(def any, examples map[string][]json.RawMessage, name string) []string {
	d, _ := def.(map[string]any)
	list, _ := d["required"].([]any)
	event, action, _ := strings.Cut(name, "$")
	var required []string
	for _, r := range list {
		member, _ := r.(string)
		keep := member != ""
		for _, ex := range examples[event] {
			var m map[string]json.RawMessage
			if json.Unmarshal(ex, &m) != nil {
				continue
			}
			if action != "event" && string(m["action"]) != strconv.Quote(action) {
				continue
			}
			if _, ok := m[member]; !ok {
				keep = false
			}
		}
		if keep {
			required = append(required, member)
		}
	}
	return required
}

// definition names the schema of a payload: "pull_request$opened",
// "push$event", else the event's "installation_event".
func (w *webhookSchemas) definition(event, action string) (string, error) {
	for _, name := range []string{event + "$" + action, event + "$event", event + "_event"} {
		if _, ok := w.defs[name]; ok {
			return name, nil
		}
	}
	return "", fmt.Errorf("GitHub's webhook schemas have no %q event", event)
}

func (w *webhookSchemas) schema(name string) (*jsonschema.Schema, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, ok := w.compiled[name]; ok {
		return s, nil
	}
	s, err := w.compiler.Compile(webhookSchemaURL + "#/definitions/" + name)
	if err != nil {
		return nil, err
	}
	w.compiled[name] = s
	return s, nil
}

// CheckWebhook checks a payload of the event (X-GitHub-Event) against
// GitHub's webhook schemas (@octokit/webhooks-schemas), naming the
// definition and the fields it breaks.
func CheckWebhook(event string, payload []byte) error {
	w, err := loadWebhookSchemas()
	if err != nil {
		return fmt.Errorf("GitHub's webhook schemas: %w (run scripts/fetch-github-descriptions.sh)", err)
	}
	var head struct {
		Action string `json:"action"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return fmt.Errorf("%s payload: %w", event, err)
	}
	name, err := w.definition(event, head.Action)
	if err != nil {
		return err
	}
	s, err := w.schema(name)
	if err != nil {
		return fmt.Errorf("webhook schema %s: %w", name, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("%s payload: %w", event, err)
	}
	members, _ := v.(map[string]any)
	for _, r := range w.required[name] {
		if _, ok := members[r]; !ok {
			return fmt.Errorf("GitHub's webhook schema %s refuses the payload: no %q", name, r)
		}
	}
	if err := s.Validate(v); err != nil {
		msg := err.Error()
		if lines := strings.Split(msg, "\n"); len(lines) > 12 {
			msg = strings.Join(lines[:12], "\n") + "\n..."
		}
		return fmt.Errorf("GitHub's webhook schema %s refuses the payload: %s", name, msg)
	}
	return nil
}

// RequireWebhook fails t when the payload a test is about to send breaks
// GitHub's webhook schemas, and skips it when they were not fetched.
func RequireWebhook(t testing.TB, event string, payload []byte) {
	t.Helper()
	ghspec.Require(t, ghspec.WebhookSchema)
	if err := CheckWebhook(event, payload); err != nil {
		t.Errorf("a test sends what GitHub never would: %v", err)
	}
}
