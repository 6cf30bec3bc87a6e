package checkrun

import (
	"strings"
	"testing"

	commitlabeler "github.com/commit-labeler/commit-labeler"
	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/decision"
	"github.com/commit-labeler/commit-labeler/repoconfig"
)

func TestPrecisionNote(t *testing.T) {
	vocab := commitlabeler.Default()
	model := decision.Decision{Source: classify.SourceModel}
	curve := &classify.Meta{OperatingPoints: []classify.OperatingPoint{{Target: 0.9, Precision: 0.91, Coverage: 0.35}}}
	for _, tt := range []struct{ file, want string }{
		{"", "default thresholds"},
		{"precision: 0.85\n", "Precision asked for in .github/commit-labeler.yml: 0.85; the model's thresholds for it reached precision 0.91 labeling 35% of commits"},
		{"threshold: 0.5\n", "Thresholds set by the repository"},
	} {
		c, err := repoconfig.Parse([]byte(tt.file), vocab)
		if err != nil {
			t.Fatal(err)
		}
		if got := Pull("abc", model, classify.Commit{}, nil, c.WithModel(curve), Model{}).Summary; !strings.Contains(got, tt.want) {
			t.Errorf("%q: summary %q lacks %q", tt.file, got, tt.want)
		}
	}
	c, _ := repoconfig.Parse([]byte("precision: 0.9\n"), vocab)
	if got := Pull("abc", model, classify.Commit{}, nil, c.WithModel(nil), Model{}).Summary; !strings.Contains(got, "no operating curve") {
		t.Errorf("a model without a curve: summary %q", got)
	}
}
