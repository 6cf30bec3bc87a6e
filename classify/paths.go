package classify

import "strings"

// Category is the kind of a changed file, derived from its path (and its
// binary flag) alone, so that training and serving agree on it.
type Category string

// File categories. A file has exactly one; when several rules apply the
// earlier category of Categories wins (a workflow under tests/ is ci, a
// snapshot under tests/ is generated).
const (
	CategoryGenerated Category = "generated" // vendored or generated: vendor/, node_modules/, *.pb.go, *.snap, *.min.js
	CategoryLock      Category = "lock"      // dependency lock files: go.sum, Cargo.lock, package-lock.json
	CategoryCI        Category = "ci"        // CI configuration: .github/workflows/, .gitlab-ci.yml, .circleci/
	CategoryLocale    Category = "locale"    // translations: locales/, i18n/, *.po, de.json, messages_fr.properties
	CategoryBench     Category = "bench"     // benchmarks: benches/, *_bench.*, bench_*.py
	CategoryTest      Category = "test"      // tests, fixtures and test tooling
	CategoryBuild     Category = "build"     // build and dependency manifests: go.mod, package.json, Dockerfile, Makefile
	CategoryChangelog Category = "changelog" // CHANGELOG*, .changeset/, release notes
	CategoryDocs      Category = "docs"      // documentation: *.md, docs/, README, LICENSE
	CategoryAsset     Category = "asset"     // images, media, fonts, other binaries
	CategoryConfig    Category = "config"    // tool and project configuration: dotfiles, *.yml, *.toml, *.json
	CategorySource    Category = "source"    // program source in any language
	CategoryOther     Category = "other"     // none of the above
)

// Categories lists every category in precedence order; feature vectors use
// this order.
var Categories = []Category{
	CategoryGenerated, CategoryLock, CategoryCI, CategoryLocale, CategoryBench, CategoryTest,
	CategoryBuild, CategoryChangelog, CategoryDocs, CategoryAsset, CategoryConfig, CategorySource, CategoryOther,
}

// segmentKind flags what a directory name says about the files below it.
type segmentKind uint16

const (
	segGenerated segmentKind = 1 << iota
	segCI
	segLocale
	segBench
	segTest
	segChangelog
	segDocs
	segConfig
	segGitHub // .github: its workflows/ and actions/ are CI
)

// segmentKinds maps lower-case directory names to their kinds.
var segmentKinds = map[string]segmentKind{
	"vendor": segGenerated, "node_modules": segGenerated, "third_party": segGenerated, "third-party": segGenerated,
	"dist": segGenerated, "generated": segGenerated, "__generated__": segGenerated, "__snapshots__": segGenerated,
	"snapshots": segGenerated, "bower_components": segGenerated, ".yarn": segGenerated,

	".circleci": segCI, ".buildkite": segCI, ".gitlab": segCI, ".woodpecker": segCI, ".drone": segCI,
	"ci": segCI, ".ci": segCI, ".azure-pipelines": segCI, ".azuredevops": segCI, ".teamcity": segCI, ".jenkins": segCI,

	"locales": segLocale, "locale": segLocale, "i18n": segLocale, "l10n": segLocale, "translations": segLocale,
	"translation": segLocale, "lang": segLocale, "langs": segLocale, "i18n-messages": segLocale, "po": segLocale,

	"bench": segBench, "benches": segBench, "benchmark": segBench, "benchmarks": segBench,

	"spec": segTest, "specs": segTest, "e2e": segTest, "fixtures": segTest, "__fixtures__": segTest,
	"__mocks__": segTest, "mocks": segTest, "__tests__": segTest, "__test__": segTest,

	".changeset": segChangelog, "changelog.d": segChangelog, "newsfragments": segChangelog,
	"releasenotes": segChangelog, "release-notes": segChangelog, "changelogs": segChangelog,

	"doc": segDocs, "documentation": segDocs, "website": segDocs, "book": segDocs, "guides": segDocs,
	"manual": segDocs, "wiki": segDocs, "man": segDocs,

	".vscode": segConfig, ".idea": segConfig, ".devcontainer": segConfig, ".husky": segConfig,
	".config": segConfig, ".cargo": segConfig, ".mvn": segConfig,

	".github": segGitHub,
}

// baseCategories maps lower-case file names to their category.
var baseCategories = categoriesByName([]struct {
	category Category
	names    []string
}{
	// Lock files.
	{CategoryLock, []string{
		"go.sum", "go.work.sum", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
		"bun.lockb", "bun.lock", "cargo.lock", "poetry.lock", "uv.lock", "pipfile.lock", "pdm.lock", "gemfile.lock",
		"composer.lock", "flake.lock", "gradle.lockfile", "packages.lock.json", "podfile.lock", "pubspec.lock",
		"mix.lock", "deno.lock", "requirements.lock",
	}},

	// CI.
	{CategoryCI, []string{
		".gitlab-ci.yml", ".gitlab-ci.yaml", "azure-pipelines.yml", "azure-pipelines.yaml", "jenkinsfile",
		".travis.yml", "appveyor.yml", ".appveyor.yml", ".drone.yml", "bitbucket-pipelines.yml", "codecov.yml",
		".codecov.yml", "dependabot.yml", "dependabot.yaml", ".pre-commit-config.yaml", "cloudbuild.yaml",
		"cloudbuild.yml", ".cirrus.yml", "renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json",
	}},

	// Test tooling.
	{CategoryTest, []string{
		"conftest.py", "pytest.ini", ".coveragerc", ".mocharc.yml", ".mocharc.json",
	}},

	// Build and dependency manifests.
	{CategoryBuild, []string{
		"go.mod", "go.work", "package.json", "cargo.toml", "pyproject.toml", "setup.py", "setup.cfg", "pipfile",
		"manifest.in", "tox.ini", "noxfile.py", "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle",
		"settings.gradle.kts", "gradle.properties", "gradle-wrapper.properties", "gradlew", "gradlew.bat", "mvnw",
		"mvnw.cmd", "build.xml", "makefile", "gnumakefile", "makefile.am", "configure.ac", "cmakelists.txt",
		"meson.build", "build.bazel", "build", "workspace", "workspace.bazel", "module.bazel", "build.rs",
		"build.zig", "build.zig.zon", "rust-toolchain", "rust-toolchain.toml", "justfile", ".goreleaser.yml",
		".goreleaser.yaml", "goreleaser.yml", "lerna.json", "nx.json", "turbo.json", "rush.json",
		"pnpm-workspace.yaml", "jsr.json", "deno.json", "deno.jsonc", ".npmrc", ".yarnrc", ".yarnrc.yml", ".nvmrc",
		".node-version", ".python-version", ".tool-versions", "gemfile", "podfile", "composer.json", "pubspec.yaml",
		"mix.exs", "flake.nix", "default.nix", "shell.nix", "vcpkg.json", "conanfile.txt", "conanfile.py",
		".babelrc", ".dockerignore",
	}},

	// Documentation.
	{CategoryDocs, []string{
		"license", "licence", "copying", "notice", "authors", "contributors", "maintainers", "codeowners",
		".all-contributorsrc", "mkdocs.yml", "mkdocs.yaml", "_quarto.yml", "docusaurus.config.js",
		"docusaurus.config.ts",
	}},
})

// categoriesByName turns a table of categories and their file names into a
// map from name to category. A name listed twice is a mistake in the table
// (the compiler catches it in a map literal, not here), so it panics.
func categoriesByName(table []struct {
	category Category
	names    []string
}) map[string]Category {
	out := make(map[string]Category)
	for _, row := range table {
		for _, name := range row.names {
			if _, dup := out[name]; dup {
				panic("classify: file name " + name + " has two categories")
			}
			out[name] = row.category
		}
	}
	return out
}

// buildPrefixes are file-name prefixes of build configuration
// (tsconfig.base.json, vite.config.ts, Dockerfile.alpine, requirements-dev.txt).
var buildPrefixes = []string{
	"dockerfile", "docker-compose", "compose.y", "tsconfig", "vite.config", "webpack.", "rollup.config",
	"tsup.config", "esbuild.", "babel.config", "requirements", "constraints", "cmakepresets", "taskfile",
}

// extCategories maps lower-case extensions (without the dot) to categories.
var extCategories = map[string]Category{
	"lock": CategoryLock,

	"po": CategoryLocale, "pot": CategoryLocale, "mo": CategoryLocale, "xlf": CategoryLocale, "xliff": CategoryLocale,
	"arb": CategoryLocale, "strings": CategoryLocale, "stringsdict": CategoryLocale, "resx": CategoryLocale, "ftl": CategoryLocale,

	"mk": CategoryBuild, "cmake": CategoryBuild, "bzl": CategoryBuild, "bazel": CategoryBuild, "gemspec": CategoryBuild,
	"podspec": CategoryBuild, "csproj": CategoryBuild, "fsproj": CategoryBuild, "vcxproj": CategoryBuild,
	"sln": CategoryBuild, "nix": CategoryBuild, "dockerfile": CategoryBuild, "containerfile": CategoryBuild,

	"md": CategoryDocs, "mdx": CategoryDocs, "markdown": CategoryDocs, "rst": CategoryDocs, "adoc": CategoryDocs,
	"asciidoc": CategoryDocs, "txt": CategoryDocs, "qmd": CategoryDocs, "ipynb": CategoryDocs, "tex": CategoryDocs,
	"rdoc": CategoryDocs, "pod": CategoryDocs, "1": CategoryDocs, "texi": CategoryDocs,

	"png": CategoryAsset, "jpg": CategoryAsset, "jpeg": CategoryAsset, "gif": CategoryAsset, "svg": CategoryAsset,
	"ico": CategoryAsset, "icns": CategoryAsset, "webp": CategoryAsset, "bmp": CategoryAsset, "tif": CategoryAsset, "tiff": CategoryAsset,
	"avif": CategoryAsset, "mp4": CategoryAsset, "webm": CategoryAsset, "mov": CategoryAsset, "mp3": CategoryAsset,
	"wav": CategoryAsset, "ogg": CategoryAsset, "flac": CategoryAsset, "ttf": CategoryAsset, "otf": CategoryAsset,
	"woff": CategoryAsset, "woff2": CategoryAsset, "eot": CategoryAsset, "pdf": CategoryAsset, "zip": CategoryAsset,
	"gz": CategoryAsset, "tgz": CategoryAsset, "tar": CategoryAsset, "jar": CategoryAsset, "psd": CategoryAsset,
	"cast": CategoryAsset, "wasm": CategoryAsset, "bin": CategoryAsset, "dat": CategoryAsset,

	"json": CategoryConfig, "jsonc": CategoryConfig, "json5": CategoryConfig, "yml": CategoryConfig,
	"yaml": CategoryConfig, "toml": CategoryConfig, "ini": CategoryConfig, "cfg": CategoryConfig,
	"conf": CategoryConfig, "config": CategoryConfig, "properties": CategoryConfig, "env": CategoryConfig,
	"xml": CategoryConfig, "plist": CategoryConfig, "editorconfig": CategoryConfig, "gitignore": CategoryConfig,
	"gitattributes": CategoryConfig, "gitmodules": CategoryConfig, "npmignore": CategoryConfig,
	"prettierignore": CategoryConfig, "eslintignore": CategoryConfig, "browserslistrc": CategoryConfig,
	"mailmap": CategoryConfig, "key": CategoryConfig, "pub": CategoryConfig, "pem": CategoryConfig, "csv": CategoryConfig,

	"go": CategorySource, "rs": CategorySource, "ts": CategorySource, "tsx": CategorySource, "mts": CategorySource,
	"cts": CategorySource, "js": CategorySource, "jsx": CategorySource, "mjs": CategorySource, "cjs": CategorySource,
	"py": CategorySource, "pyi": CategorySource, "pyx": CategorySource, "java": CategorySource, "kt": CategorySource,
	"kts": CategorySource, "scala": CategorySource, "groovy": CategorySource, "c": CategorySource, "h": CategorySource,
	"cc": CategorySource, "cpp": CategorySource, "cxx": CategorySource, "hpp": CategorySource, "hh": CategorySource,
	"hxx": CategorySource, "inl": CategorySource, "cu": CategorySource, "m": CategorySource, "mm": CategorySource,
	"swift": CategorySource, "cs": CategorySource, "fs": CategorySource, "rb": CategorySource, "php": CategorySource,
	"sh": CategorySource, "bash": CategorySource, "zsh": CategorySource, "fish": CategorySource, "ps1": CategorySource,
	"bat": CategorySource, "cmd": CategorySource, "sql": CategorySource, "proto": CategorySource,
	"graphql": CategorySource, "gql": CategorySource, "vue": CategorySource, "svelte": CategorySource,
	"astro": CategorySource, "css": CategorySource, "scss": CategorySource, "sass": CategorySource,
	"less": CategorySource, "html": CategorySource, "htm": CategorySource, "lua": CategorySource,
	"dart": CategorySource, "ex": CategorySource, "exs": CategorySource, "erl": CategorySource, "hs": CategorySource,
	"ml": CategorySource, "clj": CategorySource, "zig": CategorySource, "nim": CategorySource, "r": CategorySource,
	"jl": CategorySource, "pl": CategorySource, "pm": CategorySource, "prql": CategorySource, "pest": CategorySource,
	"tmpl": CategorySource, "tpl": CategorySource, "templ": CategorySource, "gotmpl": CategorySource,
	"j2": CategorySource, "hbs": CategorySource, "ejs": CategorySource, "wgsl": CategorySource, "glsl": CategorySource,
	"metal": CategorySource, "s": CategorySource, "asm": CategorySource, "v": CategorySource, "sol": CategorySource,
	"tf": CategorySource, "hcl": CategorySource, "cue": CategorySource, "rego": CategorySource, "tape": CategorySource,
	"txtar": CategorySource, "vim": CategorySource, "el": CategorySource,
}

// localeCodes are ISO 639-1 codes that name translation files (de.json,
// zh_CN.json, pt-BR.yml).
var localeCodes = map[string]bool{}

func init() {
	for _, c := range strings.Fields(`af am ar az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu
		he hi hr hu hy id is it ja ka kk km kn ko ky lo lt lv mk ml mn mr ms my nb ne nl nn no pa pl pt ro ru
		si sk sl sq sr sv sw ta te th tl tr uk ur uz vi zh`) {
		localeCodes[c] = true
	}
}

// localeDataExts are the extensions of translation catalogues named by a
// locale code; source files named like a code (is.ts, ms.go) are not.
var localeDataExts = map[string]bool{"json": true, "yml": true, "yaml": true, "toml": true, "properties": true, "ini": true}

// CategorizePath returns the category of a file from its path; binary files
// that no rule claims count as assets.
func CategorizePath(path string, binary bool) Category {
	origDir, origBase := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		origDir, origBase = path[:i], path[i+1:]
	}
	dir, base := strings.ToLower(origDir), strings.ToLower(origBase)
	stem, ext := splitExt(base)
	seg := dirKinds(dir)
	baseCat := baseCategories[base]
	extCat := extCategories[ext]

	switch {
	case seg&segGenerated != 0 || isGeneratedName(stem, ext):
		return CategoryGenerated
	case baseCat == CategoryLock || extCat == CategoryLock:
		return CategoryLock
	case seg&segCI != 0 || baseCat == CategoryCI || (seg&segGitHub != 0 && extCat == CategorySource):
		return CategoryCI
	case seg&segLocale != 0 || extCat == CategoryLocale || isLocaleName(stem, ext):
		return CategoryLocale
	case baseCat == CategoryBuild: // a manifest is one wherever it lives (tests/package.json)
		return CategoryBuild
	case seg&segBench != 0 || isBenchName(stem):
		return CategoryBench
	case seg&segTest != 0 || baseCat == CategoryTest || isTestName(stem, origBase):
		return CategoryTest
	case extCat == CategoryBuild || hasAnyPrefix(base, buildPrefixes):
		return CategoryBuild
	case seg&segChangelog != 0 || isChangelogName(stem):
		return CategoryChangelog
	case seg&segDocs != 0 || baseCat == CategoryDocs || extCat == CategoryDocs || (extCat != CategorySource && isDocsName(stem)):
		return CategoryDocs
	case extCat == CategoryAsset:
		return CategoryAsset
	case seg&(segConfig|segGitHub) != 0 || strings.HasPrefix(base, ".") || isConfigName(stem):
		return CategoryConfig
	case extCat == CategorySource:
		return CategorySource
	case binary:
		return CategoryAsset
	case extCat == CategoryConfig:
		return CategoryConfig
	}
	return CategoryOther
}

// splitExt splits a lower-case file name at its last dot. Dotfiles without
// another dot (.gitignore) have the name as extension.
func splitExt(base string) (stem, ext string) {
	i := strings.LastIndexByte(base, '.')
	if i < 0 {
		return base, ""
	}
	return base[:i], base[i+1:]
}

// FileExt returns the lower-case extension of a path without the dot, or ""
// when it has none.
func FileExt(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	_, ext := splitExt(base)
	return strings.ToLower(ext)
}

// TopDir returns the first directory of a path, or "." for files at the root.
func TopDir(path string) string {
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return "."
}

// dirKinds combines the kinds of the directory names of a lower-case path.
func dirKinds(dir string) segmentKind {
	var kinds, prev segmentKind
	for dir != "" {
		seg := dir
		if i := strings.IndexByte(dir, '/'); i >= 0 {
			seg, dir = dir[:i], dir[i+1:]
		} else {
			dir = ""
		}
		k := segmentKinds[seg]
		switch {
		case prev == segGitHub && (seg == "workflows" || seg == "actions"):
			k = segCI
		case k == 0 && isTestSegment(seg):
			k = segTest
		case k == 0 && (strings.HasPrefix(seg, "docs") || strings.HasSuffix(seg, "docs")):
			k = segDocs
		}
		kinds |= k
		prev = k
	}
	return kinds
}

// isTestSegment matches test directories by name: test, tests, testdata,
// testutil, test_module, e2e-tests, integration_tests, memory-testing.
func isTestSegment(seg string) bool {
	if strings.HasPrefix(seg, "test") {
		return true
	}
	for _, suffix := range []string{"-test", "_test", "-tests", "_tests", "-testing", "_testing"} {
		if strings.HasSuffix(seg, suffix) {
			return true
		}
	}
	return false
}

// isTestName matches test files: foo_test.go, test_foo.py, foo.test.ts,
// foo.spec.ts, app.e2e-spec.ts, FooTest.java, FooIT.java, foo_spec.rb.
func isTestName(stem, origBase string) bool {
	if strings.HasPrefix(stem, "test_") || strings.HasPrefix(stem, "test-") || stem == "test" || stem == "tests" {
		return true
	}
	for _, suffix := range []string{"_test", ".test", "-test", "_tests", ".spec", "_spec", "-spec", "_unittest"} {
		if strings.HasSuffix(stem, suffix) {
			return true
		}
	}
	if hasAnyPrefix(stem, testToolPrefixes) {
		return true
	}
	// CamelCase Java/Kotlin/C# test classes, checked on the original case so
	// that "latest.ts" or "unit.java" do not match.
	if len(origBase) < len(stem) {
		return false // lower-casing changed the length: not an ASCII class name
	}
	origStem := origBase[:len(stem)]
	for _, suffix := range []string{"Test", "Tests", "IT"} {
		n := len(origStem) - len(suffix)
		if n > 0 && strings.HasSuffix(origStem, suffix) && isLowerOrDigit(origStem[n-1]) {
			return true
		}
	}
	return false
}

// testToolPrefixes are configuration files of test runners.
var testToolPrefixes = []string{"jest.config", "vitest.config", "vitest.workspace", "playwright.config", "cypress.config", "karma.conf"}

// isBenchName matches benchmark files: foo_bench.rs, bench_foo.py, foo.bench.ts.
func isBenchName(stem string) bool {
	return strings.HasPrefix(stem, "bench_") || strings.HasSuffix(stem, "_bench") ||
		strings.HasSuffix(stem, ".bench") || strings.HasSuffix(stem, "_benchmark") || strings.HasSuffix(stem, "_benchmarks")
}

// isGeneratedName matches generated files: *.pb.go, *_pb2.py, *_generated.go,
// generated-types.ts, zz_generated.deepcopy.go, *.gen.go, *.min.js, *.snap.
func isGeneratedName(stem, ext string) bool {
	switch ext {
	case "snap", "map":
		return true
	}
	return strings.Contains(stem, "generated") || strings.HasSuffix(stem, ".pb") || strings.HasSuffix(stem, "_pb2") ||
		strings.HasSuffix(stem, "_pb2_grpc") || strings.HasSuffix(stem, "_pb") || strings.HasSuffix(stem, ".pb.d") ||
		strings.HasSuffix(stem, ".gen") || strings.HasSuffix(stem, "_gen") || strings.HasSuffix(stem, ".min") ||
		strings.HasPrefix(stem, "mock_") || strings.HasSuffix(stem, "_mock") || stem == "bindata"
}

// isLocaleName matches translation catalogues named by locale: de.json,
// zh_cn.json, pt-br.yml, messages_fr.properties, strings_de.xml.
func isLocaleName(stem, ext string) bool {
	if ext == "properties" || ext == "xml" {
		if i := strings.LastIndexAny(stem, "_-"); i >= 0 && localeCodes[stem[i+1:]] {
			return true
		}
	}
	if !localeDataExts[ext] {
		return false
	}
	code := stem
	if i := strings.IndexAny(stem, "_-"); i >= 0 {
		code = stem[:i]
		region := stem[i+1:]
		if len(region) < 2 || len(region) > 4 {
			return false
		}
	}
	return localeCodes[code]
}

// isChangelogName matches changelogs and release notes: CHANGELOG.md,
// CHANGES.rst, HISTORY.md, NEWS, RELEASES.md, RELEASE_NOTES.md.
func isChangelogName(stem string) bool {
	return strings.HasPrefix(stem, "changelog") || stem == "changes" || stem == "history" || stem == "news" ||
		stem == "releases" || strings.HasPrefix(stem, "release_notes") || strings.HasPrefix(stem, "release-notes")
}

// docsPrefixes start the names of project documents.
var docsPrefixes = []string{"readme", "license", "licence", "contributing", "code_of_conduct", "copying", "authors", "notice"}

// isDocsName matches project documents whatever their extension: README,
// LICENSE-MIT, LICENSE.apache, CONTRIBUTING.
func isDocsName(stem string) bool {
	return hasAnyPrefix(stem, docsPrefixes)
}

// isConfigName matches tool configuration with a source extension:
// eslint.config.js, prettier.config.mjs, tailwind.config.ts, nginx.conf.j2.
func isConfigName(stem string) bool {
	return strings.HasSuffix(stem, ".config") || strings.HasSuffix(stem, ".conf")
}

func isLowerOrDigit(c byte) bool { return c >= 'a' && c <= 'z' || isDigit(c) }

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
