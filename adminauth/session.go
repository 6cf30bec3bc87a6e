package adminauth

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/commit-labeler/commit-labeler/store"
)

// SessionLifetime is how long a sign-in lasts. What a person may see is
// GitHub's answer at sign-in, kept for the session: a person whose access
// GitHub withdraws keeps seeing those rows for at most this long, and a
// fresh sign-in asks GitHub again.
const SessionLifetime = time.Hour

// session is a signed-in person's: who they are and what GitHub says they
// can access.
type session struct {
	login   string
	scope   store.RepoScope
	expires time.Time
}

// sessions are the signed-in people's sessions, by random id, in the
// bot's memory: a restarted bot, or another replica, asks to sign in
// again. The user access token is not kept: the session holds GitHub's
// answer, not the means to ask again.
type sessions struct {
	mu   sync.Mutex
	byID map[string]session
}

// randomID is 32 random bytes, base64url-encoded: a session id or an
// OAuth state nobody can guess.
func randomID() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// add starts a session and returns its id, forgetting the expired ones.
func (s *sessions) add(sess session, now time.Time) string {
	id := randomID()
	s.mu.Lock()
	defer s.mu.Unlock()
	for old, o := range s.byID {
		if !now.Before(o.expires) {
			delete(s.byID, old)
		}
	}
	s.byID[id] = sess
	return id
}

// get returns the unexpired session id.
func (s *sessions) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[id]
	if ok && !now.Before(sess.expires) {
		delete(s.byID, id)
		return session{}, false
	}
	return sess, ok
}

// remove ends the session id.
func (s *sessions) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}
