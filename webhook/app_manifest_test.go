package webhook

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/ghapp"
	"github.com/commit-labeler/commit-labeler/internal/ghspec"
)

// GitHub documents a manifest's parameters on a page only, so they are
// copied here from
// https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest#github-app-manifest-parameters
var (
	manifestParameters = []string{"name", "url", "hook_attributes", "redirect_url", "callback_urls", "setup_url",
		"description", "public", "default_events", "default_permissions", "request_oauth_on_install", "setup_on_update"}
	hookAttributesParameters = []string{"url", "active"}
)

// appRules is what GitHub publishes about Apps' events and permissions:
// the webhook descriptions (@octokit/openapi-webhooks) and the REST API's
// app-permissions schema (@octokit/openapi).
type appRules struct {
	// events by name (X-GitHub-Event value).
	events map[string]eventRule
	// permissions are the App permission keys with the levels each takes.
	permissions map[string][]string
}

// eventRule is what an event's description says about Apps.
type eventRule struct {
	// deliveredToAll: every App receives the event; none can subscribe to it.
	deliveredToAll bool
	// needs are the permissions subscribing takes, every one of them.
	needs []permissionNeed
}

// permissionNeed is "at least level access for the anyOf permission".
type permissionNeed struct {
	level string
	// anyOf are GitHub's display names, e.g. "Pull requests".
	anyOf []string
}

// The sentences of a description that say who receives the event: "All
// GitHub Apps receive this event by default", "A GitHub App receives this
// webhook by default", "To subscribe to this event, a GitHub App must have
// at least read-level access for the "Issues" or "Pull requests" repository
// permissions".
var (
	receivedByDefault = regexp.MustCompile(`receives? this (?:event|webhook) by default`)
	subscribingNeeds  = regexp.MustCompile(`To subscribe to this event, a GitHub App must have at least (\w+)-level access for the ((?:"[^"]+"(?: or )?)+)`)
	quotedName        = regexp.MustCompile(`"([^"]+)"`)
)

// levelRank orders permission levels: a level grants the ones below it.
var levelRank = map[string]int{"read": 1, "write": 2, "admin": 3}

func loadAppRules(t *testing.T) appRules {
	t.Helper()
	var hooks struct {
		Webhooks map[string]struct {
			Post struct {
				Summary string `json:"summary"`
				GitHub  struct {
					// Subcategory is the event name, as in externalDocs.url's anchor.
					Subcategory string `json:"subcategory"`
				} `json:"x-github"`
			} `json:"post"`
		} `json:"webhooks"`
	}
	readJSON(t, ghspec.Require(t, ghspec.WebhookDescriptions), &hooks)
	var rest struct {
		Components struct {
			Schemas struct {
				AppPermissions struct {
					Properties map[string]struct {
						Enum []string `json:"enum"`
					} `json:"properties"`
				} `json:"app-permissions"`
			} `json:"schemas"`
		} `json:"components"`
	}
	readJSON(t, ghspec.Require(t, ghspec.RESTDotCom), &rest)

	rules := appRules{events: map[string]eventRule{}, permissions: map[string][]string{}}
	for key, p := range rest.Components.Schemas.AppPermissions.Properties {
		rules.permissions[key] = p.Enum
	}
	// Each action of an event (pull-request-opened, ...) has its own
	// description; the event's rule is all of theirs.
	for id, hook := range hooks.Webhooks {
		name := hook.Post.GitHub.Subcategory
		if name == "" {
			t.Fatalf("%s: webhook %s has no x-github.subcategory", ghspec.WebhookDescriptions, id)
		}
		rule := rules.events[name]
		rule.deliveredToAll = rule.deliveredToAll || receivedByDefault.MatchString(hook.Post.Summary)
		for _, m := range subscribingNeeds.FindAllStringSubmatch(hook.Post.Summary, -1) {
			need := permissionNeed{level: m[1]}
			for _, q := range quotedName.FindAllStringSubmatch(m[2], -1) {
				need.anyOf = append(need.anyOf, q[1])
			}
			if !slices.ContainsFunc(rule.needs, func(n permissionNeed) bool { return reflect.DeepEqual(n, need) }) {
				rule.needs = append(rule.needs, need)
			}
		}
		rules.events[name] = rule
	}
	return rules
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// permissionKey maps GitHub's display name of a permission to its manifest
// key: "Pull requests" → pull_requests.
func permissionKey(displayName string) string {
	return strings.ReplaceAll(strings.ToLower(displayName), " ", "_")
}

// check returns what GitHub would refuse in manifest (app.yml decoded), and
// the events of handled that would never reach the bot.
func (r appRules) check(manifest map[string]any, handled []string) []string {
	var problems []string
	for key := range manifest {
		if !slices.Contains(manifestParameters, key) {
			problems = append(problems, fmt.Sprintf("%s is not a manifest parameter", key))
		}
	}
	hook, _ := manifest["hook_attributes"].(map[string]any)
	for key := range hook {
		if !slices.Contains(hookAttributesParameters, key) {
			problems = append(problems, fmt.Sprintf("hook_attributes.%s is not a manifest parameter", key))
		}
	}
	granted := map[string]string{}
	permissions, _ := manifest["default_permissions"].(map[string]any)
	for key, v := range permissions {
		level := fmt.Sprint(v)
		levels, ok := r.permissions[key]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("default_permissions: %s is not an App permission", key))
		case !slices.Contains(levels, level):
			problems = append(problems, fmt.Sprintf("default_permissions: %s: %s is not one of %v", key, level, levels))
		default:
			granted[key] = level
		}
	}
	var events []string
	list, _ := manifest["default_events"].([]any)
	for _, v := range list {
		events = append(events, fmt.Sprint(v))
	}
	for _, event := range events {
		rule, ok := r.events[event]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("default_events: GitHub describes no event %s", event))
		case rule.deliveredToAll:
			problems = append(problems, fmt.Sprintf("default_events: %s is delivered to every App and cannot be subscribed to", event))
		case len(rule.needs) == 0:
			problems = append(problems, fmt.Sprintf("default_events: GitHub's description of %s names no permission that subscribing takes", event))
		}
		for _, need := range rule.needs {
			problems = append(problems, r.unmet(event, need, granted)...)
		}
	}
	for _, event := range handled {
		if !slices.Contains(events, event) && !r.events[event].deliveredToAll {
			problems = append(problems, fmt.Sprintf("the bot handles %s, which the manifest does not subscribe to", event))
		}
	}
	slices.Sort(problems)
	return problems
}

// unmet says why granted lacks what subscribing to event needs, if it does.
func (r appRules) unmet(event string, need permissionNeed, granted map[string]string) []string {
	var keys []string
	for _, name := range need.anyOf {
		key := permissionKey(name)
		if _, ok := r.permissions[key]; !ok {
			return []string{fmt.Sprintf("default_events: %s needs the permission GitHub calls %q, which permissionKey maps to no App permission", event, name)}
		}
		if levelRank[granted[key]] >= levelRank[need.level] {
			return nil
		}
		keys = append(keys, key)
	}
	return []string{fmt.Sprintf("default_events: %s needs %s access to %s in default_permissions", event, need.level, strings.Join(keys, " or "))}
}

// handledEvents are the events the bot's handlers take.
func handledEvents() []string {
	var events []string
	for _, h := range (&handlerSet{}).handlers() {
		events = append(events, h.Handles()...)
	}
	return events
}

// TestManifestMeetsGitHubsRules holds app.yml to what GitHub publishes: its
// keys are manifest parameters, its permissions App permissions at levels
// they take, each of its events one an App can subscribe to with the
// permissions it asks for, and every event the bot handles reaches it.
func TestManifestMeetsGitHubsRules(t *testing.T) {
	rules := loadAppRules(t)
	tests := []struct {
		name string
		edit func(m map[string]any)
		want []string
	}{
		{name: "shipped"},
		{
			name: "events every App receives",
			edit: func(m map[string]any) {
				m["default_events"] = append(m["default_events"].([]any), "installation", "installation_repositories")
			},
			want: []string{
				"default_events: installation is delivered to every App and cannot be subscribed to",
				"default_events: installation_repositories is delivered to every App and cannot be subscribed to",
			},
		},
		{
			name: "event without its permission",
			edit: func(m map[string]any) { delete(m["default_permissions"].(map[string]any), "contents") },
			want: []string{"default_events: push needs read access to contents in default_permissions"},
		},
		{
			name: "event either of two permissions allows",
			edit: func(m map[string]any) { m["default_events"] = append(m["default_events"].([]any), "milestone") },
		},
		{
			name: "unknown event",
			edit: func(m map[string]any) { m["default_events"] = append(m["default_events"].([]any), "pull_requests") },
			want: []string{"default_events: GitHub describes no event pull_requests"},
		},
		{
			name: "level a permission does not take",
			edit: func(m map[string]any) { m["default_permissions"].(map[string]any)["checks"] = "admin" },
			want: []string{"default_permissions: checks: admin is not one of [read write]"},
		},
		{
			name: "unknown keys",
			edit: func(m map[string]any) {
				m["webhook_secret"] = "s"
				m["hook_attributes"].(map[string]any)["secret"] = "s"
			},
			want: []string{"hook_attributes.secret is not a manifest parameter", "webhook_secret is not a manifest parameter"},
		},
		{
			name: "handled event not subscribed to",
			edit: func(m map[string]any) { m["default_events"] = []any{"pull_request"} },
			want: []string{"the bot handles push, which the manifest does not subscribe to"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := yaml.Unmarshal(commitlabeler.AppManifest(), &m); err != nil {
				t.Fatalf("app.yml: %v", err)
			}
			if tt.edit != nil {
				tt.edit(m)
			}
			if got := rules.check(m, handledEvents()); !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// TestParseManifestRefusesEventsDeliveredToEveryApp: a manifest
// subscribing to an event GitHub sends every App unasked is refused
// before GitHub sees it, naming the event.
func TestParseManifestRefusesEventsDeliveredToEveryApp(t *testing.T) {
	rules := loadAppRules(t)
	var delivered []string
	for name, rule := range rules.events {
		if rule.deliveredToAll {
			delivered = append(delivered, name)
		}
	}
	slices.Sort(delivered)
	if !slices.Contains(delivered, "installation") {
		t.Fatalf("%s: installation is not among the events delivered to every App (%v): the descriptions changed", ghspec.WebhookDescriptions, delivered)
	}
	for _, event := range append(delivered, "push") {
		_, err := ghapp.ParseManifest(fmt.Appendf(nil, "name: x\nurl: https://e.com\nhook_attributes: {url: https://e.com/hook}\ndefault_events: [push, %s]\n", event))
		if refused := slices.Contains(delivered, event); refused != (err != nil) || refused && !strings.Contains(err.Error(), event) {
			t.Errorf("default_events [push, %s]: err = %v, want refused %v naming the event", event, err, refused)
		}
	}
}

// TestManifestParametersAreGitHubs: ParseManifest takes exactly the
// parameters GitHub documents, no fewer, no more.
func TestManifestParametersAreGitHubs(t *testing.T) {
	for _, tt := range []struct {
		typ  reflect.Type
		want []string
	}{
		{reflect.TypeFor[ghapp.Manifest](), manifestParameters},
		{reflect.TypeFor[ghapp.HookAttributes](), hookAttributesParameters},
	} {
		var keys []string
		for f := range tt.typ.Fields() {
			keys = append(keys, strings.Split(f.Tag.Get("yaml"), ",")[0])
		}
		slices.Sort(keys)
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(keys, want) {
			t.Errorf("%s takes %v, GitHub documents %v", tt.typ, keys, want)
		}
	}
}
