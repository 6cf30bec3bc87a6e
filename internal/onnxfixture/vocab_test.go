package onnxfixture

import "testing"

func TestVocabulary(t *testing.T) {
	vocab := Vocabulary()
	seen := map[string]bool{}
	for _, tok := range vocab {
		if seen[tok] {
			t.Errorf("token %q twice", tok)
		}
		seen[tok] = true
	}
	if vocab[0] != PadToken || len(vocab) < 300 {
		t.Errorf("vocabulary of %d tokens starting %q, want a few hundred starting %s", len(vocab), vocab[0], PadToken)
	}
	// The tokenizer tests rely on "fixed" splitting into fix ##ed.
	for tok, want := range map[string]bool{"fix": true, "##ed": true, "cafe": true, "fixed": false, "fixe": false} {
		if seen[tok] != want {
			t.Errorf("%q in vocabulary: %v, want %v", tok, seen[tok], want)
		}
	}
}
