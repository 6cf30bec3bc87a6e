package classify

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/sugarme/tokenizer"

	"github.com/commit-labeler/commit-labeler/onnxgraph"
)

// textGroup is how many texts go to a transformer in one call. A call pads
// its texts to its longest and attention's memory grows with texts ×
// length²: 256 texts of 256 tokens in one call took 7 GiB and ran at half
// the speed of 32 at a time.
const textGroup = 32

// textRunner runs a transformer ONNX model on texts: its tokenizer.json
// and model.onnx, taking input_ids, attention_mask and, when the model
// declares it, token_type_ids.
type textRunner struct {
	tokenizer *Tokenizer
	session   *Session
	output    string
	maxLength int
	typeIDs   bool
}

// textOutput is the model's output for one text: its part of the output
// tensor, of the given shape (the tensor's without the batch dimension),
// and its attention mask, as long as the text's call was.
type textOutput struct {
	values []float32
	shape  []int64
	mask   []int64
}

// openTextRunner loads dir's tokenizer.json and model.onnx, which must
// give the named output.
func openTextRunner(dir string, maxLength int, output string) (*textRunner, error) {
	tok, err := LoadTokenizer(filepath.Join(dir, TokenizerFile))
	if err != nil {
		return nil, err
	}
	s, err := openModelSession(dir, []string{onnxgraph.InputIDs, onnxgraph.InputAttentionMask}, output)
	if err != nil {
		return nil, err
	}
	return &textRunner{tokenizer: tok, session: s, output: output, maxLength: maxLength,
		typeIDs: slices.Contains(s.InputNames(), onnxgraph.InputTokenTypeIDs)}, nil
}

// run tokenizes texts and runs the model on groups of at most textGroup
// texts of similar length, shortest first, so that little of a call is
// padding. It returns each text's output in the order of texts.
func (r *textRunner) run(ctx context.Context, texts []string) ([]textOutput, error) {
	encodings, err := r.tokenizer.encodeAll(texts, r.maxLength)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(encodings[a].Len(), encodings[b].Len()) })
	out := make([]textOutput, len(texts))
	group := make([]*tokenizer.Encoding, 0, textGroup)
	for start := 0; start < len(order); start += textGroup {
		members := order[start:min(start+textGroup, len(order))]
		group = group[:0]
		for _, i := range members {
			group = append(group, encodings[i])
		}
		tensor, mask, err := r.runGroup(ctx, group)
		if err != nil {
			return nil, err
		}
		for j, i := range members {
			out[i] = textOutput{values: tensor.Row(j), shape: tensor.Shape[1:], mask: mask[j]}
		}
	}
	return out, nil
}

// runGroup runs the model on one group of encodings padded to the longest
// and returns its output and the attention masks.
func (r *textRunner) runGroup(ctx context.Context, group []*tokenizer.Encoding) (Float32Tensor, [][]int64, error) {
	ids, mask, types := r.tokenizer.pad(group)
	inputs := make([]Input, 0, 3)
	for _, rows := range []struct {
		name string
		rows [][]int64
	}{{onnxgraph.InputIDs, ids}, {onnxgraph.InputAttentionMask, mask}, {onnxgraph.InputTokenTypeIDs, types}} {
		if rows.name == onnxgraph.InputTokenTypeIDs && !r.typeIDs {
			continue
		}
		in, err := Int64Rows(rows.name, rows.rows)
		if err != nil {
			return Float32Tensor{}, nil, err
		}
		inputs = append(inputs, in)
	}
	res, err := r.session.Run(ctx, inputs...)
	if err != nil {
		return Float32Tensor{}, nil, err
	}
	tensor := res[r.output]
	if len(tensor.Shape) < 2 || tensor.Shape[0] != int64(len(group)) {
		return Float32Tensor{}, nil, fmt.Errorf("%s: %s of shape %v for %d texts", r.session.path, r.output, tensor.Shape, len(group))
	}
	return tensor, mask, nil
}

func (r *textRunner) close() error { return r.session.Close() }

// texts renders features as texts by a recipe (TextRecipe).
func texts(features []*Features, recipe func(*Features) string) []string {
	out := make([]string, len(features))
	for i, f := range features {
		out[i] = recipe(f)
	}
	return out
}
