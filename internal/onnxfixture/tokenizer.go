package onnxfixture

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// TokenizerFile is the Hugging Face tokenizers file in a model directory.
const TokenizerFile = "tokenizer.json"

// tokenizerJSON is the Hugging Face tokenizers serialisation of a BERT
// uncased WordPiece tokenizer over Vocabulary, as bert-base-uncased and
// sentence-transformers exports ship it (strip_accents null: follow lowercase).
func tokenizerJSON() ([]byte, error) {
	vocab := Vocabulary()
	ids := make(map[string]int, len(vocab))
	for i, t := range vocab {
		ids[t] = i
	}
	var added []map[string]any
	for _, t := range []string{PadToken, UnkToken, ClsToken, SepToken, MaskToken} {
		added = append(added, map[string]any{
			"id": ids[t], "content": t, "single_word": false, "lstrip": false,
			"rstrip": false, "normalized": false, "special": true,
		})
	}
	special := func(token string, typeID int) map[string]any {
		return map[string]any{"SpecialToken": map[string]any{"id": token, "type_id": typeID}}
	}
	sequence := func(id string, typeID int) map[string]any {
		return map[string]any{"Sequence": map[string]any{"id": id, "type_id": typeID}}
	}
	specialTokens := map[string]any{}
	for _, t := range []string{ClsToken, SepToken} {
		specialTokens[t] = map[string]any{"id": t, "ids": []int{ids[t]}, "tokens": []string{t}}
	}
	return json.MarshalIndent(map[string]any{
		"version":      "1.0",
		"truncation":   nil,
		"padding":      nil,
		"added_tokens": added,
		"normalizer": map[string]any{
			"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
			"strip_accents": nil, "lowercase": true,
		},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"post_processor": map[string]any{
			"type":           "TemplateProcessing",
			"single":         []any{special(ClsToken, 0), sequence("A", 0), special(SepToken, 0)},
			"pair":           []any{special(ClsToken, 0), sequence("A", 0), special(SepToken, 0), sequence("B", 1), special(SepToken, 1)},
			"special_tokens": specialTokens,
		},
		"decoder": map[string]any{"type": "WordPiece", "prefix": "##", "cleanup": true},
		"model": map[string]any{
			"type": "WordPiece", "unk_token": UnkToken, "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": ids,
		},
	}, "", "  ")
}

// writeJSON writes v as indented JSON to dir/name.
func writeJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("fixture %s: %w", name, err)
	}
	return os.WriteFile(filepath.Join(dir, name), b, 0o644)
}

// writeTokenizer writes tokenizer.json into dir.
func writeTokenizer(dir string) error {
	b, err := tokenizerJSON()
	if err != nil {
		return fmt.Errorf("fixture %s: %w", TokenizerFile, err)
	}
	return os.WriteFile(filepath.Join(dir, TokenizerFile), b, 0o644)
}
