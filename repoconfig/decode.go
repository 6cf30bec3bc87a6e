package repoconfig

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// key is a configuration key: where its value goes and the form it takes,
// said to the maintainer when a value does not have it.
type key struct {
	name   string
	target func(f *configFile) any
	want   string
	// tag, when set, is the YAML tag a scalar value must have: the decoder
	// would otherwise truncate max_labels: 2.5 to 2 without a word.
	tag string
}

// keys are the file's keys in the order README lists them.
var keys = []key{
	{"enabled", func(f *configFile) any { return &f.Enabled }, "true or false", ""},
	{"labels", func(f *configFile) any { return &f.Labels }, "a mapping of labels to GitHub label names, e.g. {fix: bug}", ""},
	{"threshold", func(f *configFile) any { return &f.Threshold }, "a number between 0 and 1", ""},
	{"thresholds", func(f *configFile) any { return &f.Thresholds }, "a mapping of labels to numbers between 0 and 1, e.g. {docs: 0.5}", ""},
	{"precision", func(f *configFile) any { return &f.Precision }, "a number above 0 and at most 1", ""},
	{"max_labels", func(f *configFile) any { return &f.MaxLabels }, "a whole number, 1 or more", "!!int"},
	{"dry_run", func(f *configFile) any { return &f.DryRun }, "true or false", ""},
	{"check_runs", func(f *configFile) any { return &f.CheckRuns }, "true or false", ""},
	{"label_drafts", func(f *configFile) any { return &f.LabelDrafts }, "true or false", ""},
	{"ignore_authors", func(f *configFile) any { return &f.IgnoreAuthors }, `a list of login patterns, e.g. ["*[bot]"]`, ""},
}

// keyNames are the names of keys, for suggestions.
var keyNames = func() []string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return names
}()

// decodeFile decodes the file key by key, so that one bad key does not
// hide the next: it reports YAML that does not parse, a document that is
// not a mapping, unknown keys (with the nearest known one), keys set twice
// and values of the wrong form, each at its line. root is the parsed
// document, for the lines of nested keys.
func decodeFile(data []byte) (f configFile, root *yaml.Node, problems []Problem) {
	root = new(yaml.Node)
	if err := yaml.Unmarshal(data, root); err != nil {
		return f, root, []Problem{syntaxProblem(err)}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return f, root, nil // empty, or comments only
	}
	doc := root.Content[0]
	switch {
	case doc.Kind == yaml.ScalarNode && doc.ShortTag() == "!!null":
		return f, root, nil
	case doc.Kind != yaml.MappingNode:
		return f, root, []Problem{{Line: doc.Line, Message: "the file is not a mapping of keys to values, e.g. labels: {fix: bug}"}}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		name, value := doc.Content[i], doc.Content[i+1]
		at := func(format string, args ...any) {
			problems = append(problems, Problem{Line: name.Line, Message: fmt.Sprintf(format, args...)})
		}
		k, known := keyNamed(name.Value)
		switch {
		case name.Kind != yaml.ScalarNode:
			at("a key must be a name, one of %s", strings.Join(keyNames, ", "))
		case !known:
			at("%s: unknown key%s", name.Value, didYouMean(name.Value, keyNames))
		case seen[k.name] > 0:
			at("%s: set again (first on line %d)", k.name, seen[k.name])
		default:
			seen[k.name] = name.Line
			problems = append(problems, k.decode(&f, value)...)
		}
	}
	return f, root, problems
}

// keyNamed returns the key of the name.
func keyNamed(name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// decode decodes the key's value into f, saying what form it wants where
// the value has another.
func (k key) decode(f *configFile, value *yaml.Node) []Problem {
	wrong := func(line int, got string) Problem {
		return Problem{Line: line, Message: fmt.Sprintf("%s: %s: want %s", k.name, got, k.want)}
	}
	if k.tag != "" && value.Kind == yaml.ScalarNode && value.ShortTag() != "!!null" && value.ShortTag() != k.tag {
		return []Problem{wrong(value.Line, strconv.Quote(value.Value))} // not decoded, so not validated
	}
	target := k.target(f)
	err := value.Decode(target)
	if err == nil {
		return nil
	}
	// A value that did not decode is not validated as well: one error each.
	reflect.ValueOf(target).Elem().SetZero()
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return []Problem{wrong(value.Line, err.Error())}
	}
	problems := make([]Problem, 0, len(typeErr.Errors))
	for _, e := range typeErr.Errors {
		line, got := value.Line, e
		if m := unmarshalError.FindStringSubmatch(e); m != nil {
			line, _ = strconv.Atoi(m[1])
			got = valueShown(m[2], m[3])
		}
		problems = append(problems, wrong(line, got))
	}
	return problems
}

// unmarshalError is a yaml.TypeError entry: the line, the value's tag and,
// for a scalar, the value.
var unmarshalError = regexp.MustCompile("^line ([0-9]+): cannot unmarshal !!([a-z]+)(?: `(.*)`)? into ")

// valueShown is a value of a yaml.TypeError entry as a maintainer reads
// it: a list, a mapping, or the scalar quoted.
func valueShown(tag, scalar string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	return strconv.Quote(scalar)
}

// syntaxError is the line yaml's parser errors begin with.
var syntaxError = regexp.MustCompile(`^yaml: line ([0-9]+): `)

// syntaxProblem is a file the YAML parser cannot read.
func syntaxProblem(err error) Problem {
	var p Problem
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := syntaxError.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(err.Error(), m[0])
	}
	p.Message = "not valid YAML: " + msg
	return p
}
