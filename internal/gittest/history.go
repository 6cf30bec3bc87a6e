package gittest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// What History contains. Every number is exact and the same on every build:
// contents, dates and therefore commit ids are deterministic.
const (
	// HistoryCommits is the number of non-merge commits reachable from HEAD.
	HistoryCommits = 1 + HistoryRegularCommits + historySpecialCommits + HistoryBranches*HistoryBranchCommits + historyPorcelainCommits
	// HistoryRegularCommits are the ordinary main-line commits: Conventional
	// Commits subjects of every type and plain subjects, 1–2 files edited each.
	HistoryRegularCommits = 200
	// HistoryBranches feature branches of HistoryBranchCommits commits each
	// are merged with --no-ff; HistoryMerges is the number of merge commits.
	HistoryBranches      = 6
	HistoryBranchCommits = 3
	HistoryMerges        = HistoryBranches
	// HistoryBotCommits are authored by dependabot.
	HistoryBotCommits = 8
	// HistoryManyFiles is the number of files the CommitManyFiles commit adds.
	HistoryManyFiles = 120
	// HistoryLongLine is the length of the long line of CommitLongLine.
	HistoryLongLine = 1500
	// HistoryFirstYear and HistoryLastYear bound the author dates.
	HistoryFirstYear = 2021
	HistoryLastYear  = 2024

	historySpecialCommits   = 13 + HistoryBotCommits
	historyPorcelainCommits = 3
)

// Names of notable commits of History, the keys of Fixture.Named.
const (
	CommitRoot         = "root"          // adds the initial tree (diff against the empty tree)
	CommitBinaryAdd    = "binary-add"    // adds assets/logo.png
	CommitBinaryChange = "binary-change" // changes assets/logo.png
	CommitNonASCII     = "non-ascii"     // "fix: résumé für Ümlaute", adds docs/über.md
	CommitSpacePath    = "space-path"    // adds "docs/release notes.md"
	CommitQuotedPath   = "quoted-path"   // adds testdata/say "hi".txt (quoted by git even with core.quotepath=false)
	CommitLongLine     = "long-line"     // adds data/long.txt with a HistoryLongLine-character line
	CommitManyFiles    = "many-files"    // adds HistoryManyFiles files under gen/
	CommitEmpty        = "empty"         // no changes (--allow-empty)
	CommitDelete       = "delete"        // deletes docs/obsolete.md
	CommitModeChange   = "mode-change"   // makes scripts/build.sh executable
	CommitTypeChange   = "type-change"   // replaces docs/latest.md by a symlink
	CommitTrailers     = "trailers"      // body with an address, Signed-off-by and Co-authored-by
	CommitReverted     = "reverted"      // "feat: add experimental cache", reverted by CommitRevert
	CommitBot          = "bot"           // the first dependabot commit
	CommitRenamePure   = "rename-pure"   // git mv src/util.go src/helpers.go, no content change
	CommitRenameEdit   = "rename-edit"   // git mv src/strings.go src/text.go with one line changed
	CommitRevert       = "revert"        // made by git revert of CommitReverted
)

// Fixture is the repository History builds, with its notable commits.
type Fixture struct {
	*Repo
	// Named maps the Commit* names to commit ids.
	Named map[string]string
}

// SHA returns the id of the named commit, failing the test for an unknown name.
func (f *Fixture) SHA(name string) string {
	f.t.Helper()
	sha, ok := f.Named[name]
	if !ok {
		f.t.Fatalf("gittest: no commit named %q", name)
	}
	return sha
}

// History builds the canonical test repository: HistoryCommits non-merge
// commits and HistoryMerges merges on branch main, dated from
// HistoryFirstYear to HistoryLastYear in several UTC offsets, with merges of
// feature branches, renames (with and without content change), binary files,
// non-ASCII messages and paths, paths with spaces and quotes, an empty
// commit, a revert made by git revert, a deletion, a mode change, a type
// change, dependabot commits, a very long line, a commit adding more than 100
// files and bodies with trailers and e-mail addresses. The bulk is written
// with git fast-import; the renames and the revert with porcelain commands.
func History(t testing.TB) *Fixture {
	t.Helper()
	r := New(t)
	h := newHistory()
	h.build()
	byMark := h.stream.Run(t, r.Dir)
	f := &Fixture{Repo: r, Named: make(map[string]string)}
	for name, mark := range h.named {
		f.Named[name] = byMark[mark]
	}

	r.Git("reset", "--quiet", "--hard", "main")
	r.clock = h.clock
	r.step = historyStep
	r.Move("src/util.go", "src/helpers.go")
	f.Named[CommitRenamePure] = r.Commit("refactor: rename util.go to helpers.go\n")
	r.Move("src/strings.go", "src/text.go")
	text := strings.Replace(h.tree["src/strings.go"], "line 3:", "line three:", 1)
	r.Write("src/text.go", []byte(text))
	f.Named[CommitRenameEdit] = r.Commit("refactor(text): move string helpers to text.go\n")
	f.Named[CommitRevert] = r.Revert(f.Named[CommitReverted])
	return f
}

// historyStep is the mean distance between main-line commits, which spreads
// them over HistoryFirstYear to HistoryLastYear.
const historyStep = 143 * time.Hour

var (
	historyZones = []*time.Location{
		time.UTC,
		time.FixedZone("", 2*3600),
		time.FixedZone("", -5*3600),
		time.FixedZone("", 5*3600+1800),
		time.FixedZone("", -8*3600),
		time.FixedZone("", 9*3600),
	}
	historyTopics = []string{"config", "parser", "cache", "logging", "retries", "timeouts", "exports", "flags", "paths", "errors"}
	// historySubjects cycle over the regular commits; %s is a topic.
	historySubjects = []string{
		"feat: add %s support", "fix: handle empty %s", "docs: describe %s", "test: cover %s",
		"ci: cache %s between jobs", "build: bump toolchain for %s", "chore(deps): update %s dependencies",
		"refactor: simplify %s", "perf: speed up %s", "style: format %s", "feat(i18n): translate %s messages",
		"fix(core)!: reject invalid %s", "Update %s", "Tweak %s handling", "chore: tidy %s",
		"feat(cli): expose %s flag", "fix(l10n): correct %s wording", "docs(readme): mention %s",
	}
)

type history struct {
	stream FastImport
	rng    *rand.Rand
	clock  time.Time
	head   int
	// tree is main's content by path, for edits.
	tree  map[string]string
	named map[string]int
}

func newHistory() *history {
	return &history{
		rng:   rand.New(rand.NewPCG(2021, 2024)),
		clock: DefaultStart,
		tree:  make(map[string]string),
		named: make(map[string]int),
	}
}

func modify(path, content string) FileChange { return FileChange{Path: path, Content: content} }

type author struct{ name, email string }

var (
	human = author{AuthorName, AuthorEmail}
	bot   = author{BotName, BotEmail}
)

// main commits on main after the current head, applying changes to tree.
func (h *history) main(who author, message string, changes ...FileChange) int {
	for _, c := range changes {
		if c.Delete {
			delete(h.tree, c.Path)
		} else {
			h.tree[c.Path] = c.Content
		}
	}
	h.head = h.stream.Commit(ImportCommit{Name: who.name, Email: who.email, At: h.tick(), Message: message, From: h.head, Changes: changes})
	return h.head
}

// tick advances the main-line clock by about historyStep and returns the
// new date in one of historyZones.
func (h *history) tick() time.Time {
	h.clock = h.clock.Add(historyStep - 4*time.Hour + time.Duration(h.rng.IntN(8*3600))*time.Second)
	return h.clock.In(historyZones[h.rng.IntN(len(historyZones))])
}

func (h *history) build() {
	h.named[CommitRoot] = h.main(human, "Initial commit", h.rootFiles()...)
	specials := h.specials()
	forks := map[int]int{20: 0, 50: 1, 80: 2, 110: 3, 140: 4, 170: 5}
	merges := map[int]func(){}
	bots := 0
	for i := range HistoryRegularCommits {
		if s, ok := specials[i]; ok {
			s()
		}
		if i%25 == 12 && bots < HistoryBotCommits {
			h.botCommit(bots)
			bots++
		}
		if m, ok := merges[i]; ok {
			m()
		}
		if b, ok := forks[i]; ok {
			merges[i+2] = h.branch(b)
		}
		h.regular(i)
	}
}

func (h *history) rootFiles() []FileChange {
	var files []FileChange
	add := func(path, content string) { files = append(files, modify(path, content)) }
	add("README.md", "# widget\n\nA small example project.\n\n## Usage\n\nRun `make`.\n")
	add("go.mod", "module example.com/widget\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.0\n")
	add("Makefile", "build:\n\tgo build ./...\n\ntest:\n\tgo test ./...\n")
	add(".github/workflows/ci.yml", "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
	add("docs/guide.md", "# Guide\n\nStart here.\n")
	add("docs/obsolete.md", "# Obsolete\n\nNothing to see.\n")
	add("docs/latest.md", "# Latest\n\nSee guide.md.\n")
	add("scripts/build.sh", "#!/bin/sh\nset -e\ngo build ./...\n")
	add("locales/de.json", "{\n  \"hello\": \"Hallo\"\n}\n")
	add("locales/fr.json", "{\n  \"hello\": \"Bonjour\"\n}\n")
	for i := range 10 {
		add(fmt.Sprintf("src/mod%02d.go", i), goFile(i, 12))
	}
	for i := range 5 {
		add(fmt.Sprintf("src/mod%02d_test.go", i), goFile(100+i, 8))
	}
	add("src/util.go", goFile(200, 30))
	add("src/strings.go", goFile(300, 30))
	for _, c := range files {
		h.tree[c.Path] = c.Content
	}
	return files
}

func goFile(seed, lines int) string {
	var b strings.Builder
	b.WriteString("package widget\n\n")
	for i := range lines {
		fmt.Fprintf(&b, "// line %d: value %d\n", i, seed*31+i)
	}
	return b.String()
}

// specials returns the notable commits by the regular index before which
// they are made.
func (h *history) specials() map[int]func() {
	return map[int]func(){
		5: func() {
			h.named[CommitBinaryAdd] = h.main(human, "feat: add logo", modify("assets/logo.png", pngImage(color.RGBA{200, 30, 30, 255})))
		},
		12: func() {
			h.named[CommitNonASCII] = h.main(human, "fix: résumé für Ümlaute\n\nDie Übersetzung der Überschrift war falsch; „Größe“ ist jetzt korrekt.",
				modify("docs/über.md", "# Über\n\nGrößenangaben für Ümlaute.\n"))
		},
		18: func() {
			h.named[CommitSpacePath] = h.main(human, "docs: add release notes", modify("docs/release notes.md", "# Release notes\n\n- first\n"))
		},
		25: func() {
			h.named[CommitQuotedPath] = h.main(human, "test: add fixture with quotes", modify(`testdata/say "hi".txt`, "hi\n"))
		},
		33: func() {
			h.named[CommitLongLine] = h.main(human, "feat: embed lookup table", modify("data/long.txt", "short\n"+strings.Repeat("0123456789", HistoryLongLine/10)+"\nend\n"))
		},
		40: func() {
			var files []FileChange
			for i := range HistoryManyFiles {
				files = append(files, modify(fmt.Sprintf("gen/file_%03d.txt", i), fmt.Sprintf("generated %d\n", i)))
			}
			h.named[CommitManyFiles] = h.main(human, "chore: generate fixtures", files...)
		},
		47: func() {
			h.named[CommitEmpty] = h.main(human, "chore: empty commit to trigger CI")
		},
		60: func() {
			h.named[CommitDelete] = h.main(human, "docs: remove obsolete page", FileChange{Path: "docs/obsolete.md", Delete: true})
		},
		66: func() {
			h.named[CommitModeChange] = h.main(human, "build: make build script executable",
				FileChange{Path: "scripts/build.sh", Content: h.tree["scripts/build.sh"], Mode: "100755"})
		},
		72: func() {
			h.named[CommitTypeChange] = h.main(human, "docs: link latest to the guide",
				FileChange{Path: "docs/latest.md", Content: "guide.md", Mode: "120000"})
		},
		90: func() {
			h.named[CommitBinaryChange] = h.main(human, "style: recolor logo", modify("assets/logo.png", pngImage(color.RGBA{30, 30, 200, 255})))
		},
		95: func() {
			h.named[CommitTrailers] = h.main(human, "fix(parser): accept trailing commas\n\n"+
				"Reported by jane.doe@example.org on the mailing list.\n\n"+
				"Signed-off-by: Ada Tester <ada@example.com>\nCo-authored-by: Bo Builder <bo@example.net>",
				modify("src/mod03.go", h.edit(h.tree["src/mod03.go"])))
		},
		100: func() {
			h.named[CommitReverted] = h.main(human, "feat: add experimental cache", modify("src/cache.go", goFile(400, 10)))
		},
	}
}

func pngImage(c color.RGBA) string {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for y := range 8 {
		for x := range 8 {
			img.Set(x, y, color.RGBA{c.R, c.G, uint8(x * 16), c.A})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding into memory cannot fail
	}
	return b.String()
}

func (h *history) botCommit(n int) {
	mod := h.tree["go.mod"]
	from := fmt.Sprintf("v0.3.%d", n)
	to := fmt.Sprintf("v0.3.%d", n+1)
	mark := h.main(bot, fmt.Sprintf("chore(deps): bump golang.org/x/text from %s to %s\n\nBumps [golang.org/x/text](https://github.com/golang/text) from %s to %s.\n\nSigned-off-by: dependabot[bot] <support@github.com>", from, to, from, to),
		modify("go.mod", strings.Replace(mod, from, to, 1)))
	if n == 0 {
		h.named[CommitBot] = mark
	}
}

// regular makes the i-th ordinary commit: the subject's type decides which
// files are edited.
func (h *history) regular(i int) {
	subject := fmt.Sprintf(historySubjects[i%len(historySubjects)], historyTopics[h.rng.IntN(len(historyTopics))])
	message := subject
	switch i % 7 {
	case 1:
		message += fmt.Sprintf("\n\nThe previous behaviour broke %s in some setups.\nThis keeps it working.", historyTopics[i%len(historyTopics)])
	case 4:
		message += "\n\nSee the discussion with maintainers@example.com.\n\nSigned-off-by: Ada Tester <ada@example.com>\nCo-authored-by: Bo Builder <bo@example.net>"
	}
	kind, _, _ := strings.Cut(subject, ":")
	var paths []string
	switch {
	case strings.HasPrefix(kind, "docs"):
		paths = []string{"docs/guide.md", "README.md"}[i%2 : i%2+1]
	case strings.HasPrefix(kind, "test"):
		paths = []string{fmt.Sprintf("src/mod%02d_test.go", i%5)}
	case strings.HasPrefix(kind, "ci"):
		paths = []string{".github/workflows/ci.yml"}
	case strings.HasPrefix(kind, "build"):
		paths = []string{"Makefile"}
	case strings.HasPrefix(kind, "chore(deps)"):
		paths = []string{"go.mod"}
	case strings.Contains(kind, "i18n") || strings.Contains(kind, "l10n"):
		paths = []string{"locales/de.json", "locales/fr.json"}
	default:
		paths = []string{fmt.Sprintf("src/mod%02d.go", i%10)}
		if i%3 == 0 {
			paths = append(paths, fmt.Sprintf("src/mod%02d.go", (i+1)%10))
		}
	}
	changes := make([]FileChange, 0, len(paths))
	for _, p := range paths {
		changes = append(changes, modify(p, h.edit(h.tree[p])))
	}
	h.main(human, message, changes...)
}

// edit inserts, replaces or deletes a few lines of content.
func (h *history) edit(content string) string {
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	at := h.rng.IntN(len(lines)) + 1
	if at >= len(lines) {
		at = len(lines) - 1
	}
	newLine := func() string {
		return fmt.Sprintf("// edit %d: %s", h.rng.IntN(100000), historyTopics[h.rng.IntN(len(historyTopics))])
	}
	switch op := h.rng.IntN(3); {
	case op == 0 && len(lines) > 6:
		lines = slices.Delete(lines, at, at+1)
	case op == 1:
		lines[at] = newLine()
	default:
		add := make([]string, 1+h.rng.IntN(4))
		for j := range add {
			add[j] = newLine()
		}
		lines = slices.Insert(lines, at, add...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// branch makes feature branch b off the current head and returns the
// function that merges it into main with --no-ff semantics (a merge commit
// carrying the branch's files).
func (h *history) branch(b int) func() {
	name := historyTopics[b]
	ref := "refs/heads/feature/" + name
	base := h.head
	at := h.clock
	code := goFile(500+b, 6)
	test := goFile(600+b, 4)
	files := map[string]string{}
	tip := base
	for k, step := range []struct{ subject, path string }{
		{"feat(" + name + "): scaffold " + name, "src/" + name + "/" + name + ".go"},
		{"test(" + name + "): cover " + name, "src/" + name + "/" + name + "_test.go"},
		{"fix(" + name + "): guard against nil " + name, "src/" + name + "/" + name + ".go"},
	} {
		at = at.Add(5 * time.Hour)
		content := test
		if strings.HasSuffix(step.path, name+".go") {
			if k > 0 {
				code = h.edit(code)
			}
			content = code
		}
		files[step.path] = content
		tip = h.stream.Commit(ImportCommit{Ref: ref, At: at.In(historyZones[b%len(historyZones)]), Message: step.subject, From: tip,
			Changes: []FileChange{modify(step.path, content)}})
	}
	return func() {
		var changes []FileChange
		for _, p := range slices.Sorted(maps.Keys(files)) {
			changes = append(changes, modify(p, files[p]))
			h.tree[p] = files[p]
		}
		h.head = h.stream.Commit(ImportCommit{At: h.tick(), Message: "Merge branch 'feature/" + name + "'", From: h.head, Merge: tip, Changes: changes})
	}
}
