package classify

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// embeddingCache keeps the embeddings one training computes. The encoder
// is frozen, so a commit's embedding is the same in the final fit, in its
// validation scoring and in every threshold fold's fit and scoring: with
// four folds each commit was encoded six times, and encoding is nearly all
// of embed_mlp's training time (a MiniLM-sized encoder reads about ten
// commits a second on two cores). Train puts one in the context of the
// training; serving has none.
type embeddingCache struct {
	mu   sync.Mutex
	vecs map[embeddingKey][]float32
}

// embeddingKey names an embedding: the encoder (EmbedMLPConfig.encoderID)
// and the SHA-256 of the text.
type embeddingKey struct {
	encoder string
	text    [sha256.Size]byte
}

type embeddingCacheKey struct{}

// withEmbeddingCache returns ctx carrying an embedding cache, its own
// unless ctx already carries one (an ensemble training its members).
func withEmbeddingCache(ctx context.Context) context.Context {
	if embeddingCacheFrom(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, embeddingCacheKey{}, &embeddingCache{vecs: map[embeddingKey][]float32{}})
}

func embeddingCacheFrom(ctx context.Context) *embeddingCache {
	c, _ := ctx.Value(embeddingCacheKey{}).(*embeddingCache)
	return c
}

// embedTexts embeds texts with emb, reading and filling the context's
// cache when it has one: only the texts not embedded yet reach emb, in one call.
func (c EmbedMLPConfig) embedTexts(ctx context.Context, emb embedder, texts []string) ([][]float32, error) {
	cache := embeddingCacheFrom(ctx)
	if cache == nil {
		return emb.embed(ctx, texts)
	}
	encoder := c.encoderID()
	out := make([][]float32, len(texts))
	keys := make([]embeddingKey, len(texts))
	var missing []int
	cache.mu.Lock()
	for i, t := range texts {
		keys[i] = embeddingKey{encoder, sha256.Sum256([]byte(t))}
		if v, ok := cache.vecs[keys[i]]; ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	cache.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	ask := make([]string, len(missing))
	for j, i := range missing {
		ask[j] = texts[i]
	}
	vecs, err := emb.embed(ctx, ask)
	if err != nil {
		return nil, err
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	for j, i := range missing {
		out[i] = vecs[j]
		cache.vecs[keys[i]] = vecs[j]
	}
	return out, nil
}

// encoderID names what computes this configuration's embeddings: the
// Ollama model, or the encoder files with the pooling and the length read.
func (c EmbedMLPConfig) encoderID() string {
	if c.OllamaModel != "" {
		return "ollama " + c.OllamaHost + " " + c.OllamaModel
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "onnx %s %d", c.Pooling, c.MaxLength)
	for _, name := range slices.Sorted(maps.Keys(c.EncoderFiles)) {
		fmt.Fprintf(&sb, " %s=%s", name, c.EncoderFiles[name])
	}
	return sb.String()
}
