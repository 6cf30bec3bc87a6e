package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/commit-labeler/commit-labeler/classify"
	"github.com/commit-labeler/commit-labeler/pipeline"
)

// textsCommand writes the store's labeled commits as texts, split as the
// train phase splits them, for fine-tuning a transformer (scripts/finetune).
func textsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, common := newCommonFlagSet("texts", stderr)
	pf := &phaseFlags{commonFlags: common, opts: pipeline.DefaultOptions()}
	for _, name := range []string{"holdout", "valid-share", "seed", "max-examples"} {
		optionFlags[name](fs, pf)
	}
	recipe := fs.String("text", classify.TextSubjectPaths, "text recipe: "+strings.Join(classify.TextRecipeNames(), " or "))
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q", positional[0])
	}
	if err := pf.validate(); err != nil {
		return err
	}
	if _, err := classify.TextRecipe(*recipe); err != nil {
		return usageErrorf("--text: %v", err)
	}
	env, err := openEnv(ctx, common, pf.opts, stderr)
	if err != nil {
		return err
	}
	defer env.DB.Close()
	counts, err := pipeline.WriteTexts(ctx, env, *recipe, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "texts: %d training and %d validation commits\n", counts[pipeline.CountTrainExamples], counts[pipeline.CountValidExamples])
	return nil
}
