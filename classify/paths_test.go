package classify

import (
	"slices"
	"strings"
	"testing"
)

func TestCategorizePath(t *testing.T) {
	tests := []struct {
		path   string
		binary bool
		want   Category
	}{
		// Go
		{"internal/pipe/build/build.go", false, CategorySource},
		{"internal/pipe/build/build_test.go", false, CategoryTest},
		{"internal/testdata/config.yaml", false, CategoryTest},
		{"go.mod", false, CategoryBuild},
		{"tools/go.sum", false, CategoryLock},
		{"api/v1/service.pb.go", false, CategoryGenerated},
		{"pkg/apis/zz_generated.deepcopy.go", false, CategoryGenerated},
		{"vendor/github.com/x/y/z.go", false, CategoryGenerated},
		{".golangci.yml", false, CategoryConfig},
		{".goreleaser.yaml", false, CategoryBuild},
		{"Taskfile.yml", false, CategoryBuild},
		// Rust
		{"src/lib.rs", false, CategorySource},
		{"crates/core/Cargo.toml", false, CategoryBuild},
		{"Cargo.lock", false, CategoryLock},
		{"benches/parse.rs", false, CategoryBench},
		{"prql-compiler/src/snapshots/parse-6.snap", false, CategoryGenerated},
		{"rust-toolchain.toml", false, CategoryBuild},
		{"rustfmt.toml", false, CategoryConfig},
		{"build.rs", false, CategoryBuild},
		// TypeScript / JavaScript
		{"packages/core/src/index.ts", false, CategorySource},
		{"packages/core/src/index.test.ts", false, CategoryTest},
		{"packages/core/e2e/stock.e2e-spec.ts", false, CategoryTest},
		{"packages/parser/__tests__/fixture.ts", false, CategoryTest},
		{"packages/core/package.json", false, CategoryBuild},
		{"tests/package.json", false, CategoryBuild},
		{"pnpm-lock.yaml", false, CategoryLock},
		{"website/yarn.lock", false, CategoryLock},
		{"tsconfig.base.json", false, CategoryBuild},
		{"vitest.config.ts", false, CategoryTest},
		{"eslint.config.mjs", false, CategoryConfig},
		{"frontend/.eslintrc.js", false, CategoryConfig},
		{"dist/index.min.js", false, CategoryGenerated},
		{"src/generated-types.ts", false, CategoryGenerated},
		{"node_modules/x/index.js", false, CategoryGenerated},
		{"packages/extractor/__tests__/speed.bench.ts", false, CategoryBench},
		{".changeset/wicked-fans-hang.md", false, CategoryChangelog},
		{"src/latest.ts", false, CategorySource},
		// Python
		{"ibis/backends/duckdb/__init__.py", false, CategorySource},
		{"ibis/backends/tests/test_temporal.py", false, CategoryTest},
		{"api/conftest.py", false, CategoryTest},
		{"pyproject.toml", false, CategoryBuild},
		{"requirements-dev.txt", false, CategoryBuild},
		{"docs/requirements.txt", false, CategoryBuild},
		{"poetry.lock", false, CategoryLock},
		{"uv.lock", false, CategoryLock},
		{"proto/api_pb2.py", false, CategoryGenerated},
		{"releasenotes/notes/fix-1e34.yaml", false, CategoryChangelog},
		{"docs/conf.py", false, CategoryDocs},
		// Java
		{"core/src/main/java/io/kestra/Flow.java", false, CategorySource},
		{"core/src/test/java/io/kestra/FlowTest.java", false, CategoryTest},
		{"core/FlowIT.java", false, CategoryTest},
		{"core/Unit.java", false, CategorySource},
		{"pom.xml", false, CategoryBuild},
		{"build.gradle.kts", false, CategoryBuild},
		{"gradle/wrapper/gradle-wrapper.properties", false, CategoryBuild},
		{"src/main/resources/messages_fr.properties", false, CategoryLocale},
		// C++
		{"cpp/MMKV.cpp", false, CategorySource},
		{"cpp/MMKV.h", false, CategorySource},
		{"CMakeLists.txt", false, CategoryBuild},
		{"third_party/json/json.hpp", false, CategoryGenerated},
		{"tests/mmkv_unittest.cc", false, CategoryTest},
		// CI
		{".github/workflows/ci.yml", false, CategoryCI},
		{".github/workflows/test-rust.yaml", false, CategoryCI},
		{".github/actions/setup/action.yaml", false, CategoryCI},
		{".github/dependabot.yml", false, CategoryCI},
		{".github/scripts/release.py", false, CategoryCI},
		{".github/ISSUE_TEMPLATE/bug.yml", false, CategoryConfig},
		{".github/PULL_REQUEST_TEMPLATE.md", false, CategoryDocs},
		{".gitlab-ci.yml", false, CategoryCI},
		{".circleci/config.yml", false, CategoryCI},
		{"azure-pipelines.yml", false, CategoryCI},
		{"Jenkinsfile", false, CategoryCI},
		{"renovate.json", false, CategoryCI},
		// Locale
		{"packages/phrases/src/locales/de/translation/roles.ts", false, CategoryLocale},
		{"ui/src/translations/zh_CN.json", false, CategoryLocale},
		{"i18n/pt-BR.yml", false, CategoryLocale},
		{"po/fr.po", false, CategoryLocale},
		{"web/de.json", false, CategoryLocale},
		{"src/is.ts", false, CategorySource},
		// Docs, changelog, build, assets, config
		{"README.md", false, CategoryDocs},
		{"LICENSE", false, CategoryDocs},
		{"LICENSE-MIT", false, CategoryDocs},
		{"src/license.ts", false, CategorySource},
		{"docs/docs/guide.mdx", false, CategoryDocs},
		{"book/src/SUMMARY.md", false, CategoryDocs},
		{"website/versioned_docs/version-3.2/guides/x.ts", false, CategoryDocs},
		{"CHANGELOG.md", false, CategoryChangelog},
		{"packages/cli/CHANGELOG.md", false, CategoryChangelog},
		{"Dockerfile", false, CategoryBuild},
		{"docker/Dockerfile.alpine", false, CategoryBuild},
		{"docker-compose.yml", false, CategoryBuild},
		{"Makefile", false, CategoryBuild},
		{"static/logo.png", true, CategoryAsset},
		{"assets/logo.svg", false, CategoryAsset},
		{"fonts/x.woff2", true, CategoryAsset},
		{"blob.xyz", true, CategoryAsset},
		{".gitignore", false, CategoryConfig},
		{".vscode/settings.json", false, CategoryConfig},
		{"config/app.toml", false, CategoryConfig},
		{"some/file.unknownext", false, CategoryOther},
		{"NOEXTENSION", false, CategoryOther},
		{"", false, CategoryOther},
	}
	for _, tt := range tests {
		if got := CategorizePath(tt.path, tt.binary); got != tt.want {
			t.Errorf("CategorizePath(%q, %v) = %s, want %s", tt.path, tt.binary, got, tt.want)
		}
	}
}

func TestPathParts(t *testing.T) {
	tests := []struct{ path, ext, top string }{
		{"src/Main.JAVA", "java", "src"},
		{"README", "", "."},
		{".gitignore", "gitignore", "."},
		{"a/b.c/d", "", "a"},
		{"web/index.d.ts", "ts", "web"},
	}
	for _, tt := range tests {
		if got := FileExt(tt.path); got != tt.ext {
			t.Errorf("FileExt(%q) = %q, want %q", tt.path, got, tt.ext)
		}
		if got := TopDir(tt.path); got != tt.top {
			t.Errorf("TopDir(%q) = %q, want %q", tt.path, got, tt.top)
		}
	}
}

func FuzzCategorizePath(f *testing.F) {
	for _, s := range []string{"a/b_test.go", "İ/Test.java", ".github/workflows/x", "x.", "/", "a//b", "ǅTest"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, path string, binary bool) {
		if c := CategorizePath(path, binary); !slices.Contains(Categories, c) {
			t.Fatalf("CategorizePath(%q) = %q: not a category", path, c)
		}
		if ext := FileExt(path); strings.Contains(ext, "/") {
			t.Fatalf("FileExt(%q) = %q: an extension holds no /", path, ext)
		}
		if dir := TopDir(path); dir != "." && !strings.HasPrefix(path, dir+"/") {
			t.Fatalf("TopDir(%q) = %q: neither . nor the path's first directory", path, dir)
		}
	})
}
