package classify

import (
	"context"
	"encoding/json"
	"sync"
)

// vectorCache keeps the hashed token vectors of one training's commits.
// The final fit and every threshold fold hash the same commits with the
// same configuration (five times over with four folds), and tokenising
// is a tenth of tfidf_logreg's training time. Train puts one in the
// context of the training; serving has none.
type vectorCache struct {
	mu sync.Mutex
	// config is the token configuration and dimensions the vectors were
	// hashed with; another one empties the cache.
	config string
	vecs   map[*Features]SparseVector
}

type vectorCacheKey struct{}

// withVectorCache returns ctx carrying a vector cache, its own unless ctx
// already carries one.
func withVectorCache(ctx context.Context) context.Context {
	if vectorCacheFrom(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, vectorCacheKey{}, &vectorCache{})
}

func vectorCacheFrom(ctx context.Context) *vectorCache {
	c, _ := ctx.Value(vectorCacheKey{}).(*vectorCache)
	return c
}

// lookup returns the cached vectors of feats under cfg (a zero vector
// where there is none), which of feats are missing and the key to store
// them under. Without a cache (serving) every one is missing.
func (c *vectorCache) lookup(cfg TfidfConfig, feats []*Features) (vecs []SparseVector, missing []int, config string) {
	vecs = make([]SparseVector, len(feats))
	if c == nil {
		missing = make([]int, len(feats))
		for i := range missing {
			missing[i] = i
		}
		return vecs, missing, ""
	}
	key, _ := json.Marshal(struct {
		Tokens TokenConfig
		Dims   int
	}{cfg.Tokens, cfg.Dims})
	config = string(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.config != config {
		c.config, c.vecs = config, make(map[*Features]SparseVector)
	}
	for i, f := range feats {
		v, ok := c.vecs[f]
		if !ok {
			missing = append(missing, i)
		}
		vecs[i] = v
	}
	return vecs, missing, config
}

// store caches the vectors of feats at the indices given, hashed under
// config (lookup's); without a cache it does nothing.
func (c *vectorCache) store(config string, feats []*Features, vecs []SparseVector, at []int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.config != config {
		return
	}
	for _, i := range at {
		c.vecs[feats[i]] = vecs[i]
	}
}
