package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/commit-labeler/commit-labeler/internal/fakegithub"
)

// checkNoSecrets fails if the App's private key, the webhook secret or an
// installation token the fake issued shows in the bots' logs, the answers
// and /metrics pages kept, or the bytes of the database files.
func (r *faultRig) checkNoSecrets() {
	r.t.Helper()
	block, _ := pem.Decode(r.fake.PrivateKeyPEM())
	der := block.Bytes
	secrets := map[string][]byte{"webhook secret": []byte(r.secret), "private key (DER)": der[len(der)/2 : len(der)/2+64]}
	// Each line of the PEM body, as the key might be logged or stored as text.
	for i, line := range bytes.Split(r.fake.PrivateKeyPEM(), []byte("\n")) {
		if len(line) >= 40 && !bytes.HasPrefix(line, []byte("-----")) {
			secrets["private key (PEM line "+strconv.Itoa(i)+")"] = line
		}
	}
	tokens := r.fake.Tokens()
	if len(tokens) == 0 {
		r.t.Error("no installation token was issued: the run did not exercise GitHub")
	}
	for _, tok := range tokens {
		secrets["installation token "+tok[:8]+"…"] = []byte(tok)
	}
	places := map[string][]byte{"bot logs": []byte(r.logs())}
	r.mu.Lock()
	places["refusals and /metrics"] = bytes.Join(r.answers, []byte("\n"))
	r.mu.Unlock()
	for _, suffix := range []string{"", "-wal", "-shm", ".lock"} {
		b, err := os.ReadFile(r.dbPath + suffix)
		if err == nil {
			places["database file "+filepath.Base(r.dbPath)+suffix] = b
		}
	}
	for where, b := range places {
		for what, secret := range secrets {
			if bytes.Contains(b, secret) {
				r.t.Errorf("%s found in the %s", what, where)
			}
		}
	}
	r.t.Logf("no secret in %d places (%d installation tokens, %d bytes of logs)", len(places), len(tokens), len(places["bot logs"]))
}

// TestSecretsNeverLeak runs the bot through failures (GitHub failing a
// third of its calls, refused tokens, badly signed and malformed
// deliveries, an installation GitHub refuses tokens) and checks that the private key, webhook
// secret and installation tokens appear in none of its logs, answers,
// /metrics or database bytes.
func TestSecretsNeverLeak(t *testing.T) {
	r := newFaultRig(t, 6, "", "--log-level", "debug", "--workers", "2")
	r.repos.SetFaults(fakegithub.NewFaults(0.3, 11, time.Second))
	bot := r.start()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ds := r.deliveries
	<-r.send(ctx, ds[:3], 4)
	// A delivery signed with another secret, one with a body not JSON, one
	// of an installation GitHub does not know: refused, or failing for good.
	bad := ds[3]
	bad.guid = "bad-signature"
	bad.body = append(bytes.Clone(bad.body), ' ')
	client := &http.Client{Timeout: 5 * time.Second}
	counts := &sendCounts{Statuses: map[int]int{}}
	r.postSigned(ctx, client, r.addr(), bad, []byte("not-"+r.secret), counts)
	malformed := ds[4]
	malformed.guid, malformed.body = "malformed", []byte(`{"action":`)
	r.post(ctx, client, malformed, counts)
	unknown := ds[5]
	unknown.guid = "unknown-installation"
	unknown.body = bytes.Replace(unknown.body, []byte(`"installation":{"id":`), []byte(`"installation":{"id":9`), 1)
	r.post(ctx, client, unknown, counts)
	if counts.Refused != 2 {
		t.Errorf("badly signed and malformed deliveries: %s", counts)
	}
	r.waitLabeled(ds[:3], time.Minute)
	r.metrics()
	r.stop(bot, 30*time.Second)
	r.checkNoSecrets()
}
