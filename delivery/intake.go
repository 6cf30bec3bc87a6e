package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/commit-labeler/commit-labeler/jsonscan"
	"github.com/commit-labeler/commit-labeler/store"
)

// MaxPayloadBytes is GitHub's cap on a webhook payload (25 MB): GitHub never
// sends more, so a larger body is refused unread.
const MaxPayloadBytes = 25 << 20

// GitHub's delivery headers.
const (
	HeaderEvent     = "X-GitHub-Event"
	HeaderDelivery  = "X-GitHub-Delivery"
	HeaderSignature = "X-Hub-Signature-256"
	// HeaderSignatureSHA1 is GitHub's legacy signature, never accepted alone.
	HeaderSignatureSHA1 = "X-Hub-Signature"
)

// maxDeliveryIDLen bounds the X-GitHub-Delivery value stored (a GUID is 36).
const maxDeliveryIDLen = 100

// intakeError is a refused request: the HTTP status and a message safe to
// send back (it never quotes the body or a header value).
type intakeError struct {
	status  int
	message string
	// outcome is the metrics' and the log's reason when the status alone
	// does not say it ("" to go by the status).
	outcome string
}

func (e *intakeError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

func refuse(status int, format string, args ...any) error {
	return &intakeError{status: status, message: fmt.Sprintf(format, args...)}
}

// malformedPayload is refuse for a verified body that is no event
// payload (outcomeMalformedPayload).
func malformedPayload(format string, args ...any) error {
	return &intakeError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...), outcome: outcomeMalformedPayload}
}

// logRefusal logs a refused request at WARN: a sender misconfigured (a
// wrong secret, a proxy cutting bodies) or someone probing the address is
// an operator's business. Its delivery id and event are the request's
// headers, unverified, so they are logged only when they are short
// printable ASCII, and nothing of the body, the signature or the secret.
func logRefusal(ctx context.Context, log *slog.Logger, r *http.Request, status int, outcome, msg string) {
	header := func(name string, max int) string {
		if v := r.Header.Get(name); v != "" && printable(v, max) {
			return v
		}
		return "(absent or malformed)"
	}
	log.WarnContext(ctx, "delivery refused", "reason", outcome, "status", status, "detail", msg,
		"delivery", header(HeaderDelivery, maxDeliveryIDLen), "event", header(HeaderEvent, 64), "remote", r.RemoteAddr)
}

// errNoSignature and errBadSignature are the 401 answers.
var (
	errNoSignature  = errors.New("missing " + HeaderSignature + " header")
	errBadSignature = errors.New(HeaderSignature + " does not match the payload")
)

// VerifySignature checks header, an X-Hub-Signature-256 value
// ("sha256=<hex>"), against the HMAC-SHA256 of body keyed by secret, in
// constant time.
func VerifySignature(secret, body []byte, header string) error {
	if header == "" {
		return errNoSignature
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return errBadSignature
	}
	if !hmac.Equal(got, Sign(secret, body)) {
		return errBadSignature
	}
	return nil
}

// Sign returns the HMAC-SHA256 of body keyed by secret: GitHub's
// X-Hub-Signature-256 is "sha256=" and its hex.
func Sign(secret, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return mac.Sum(nil)
}

// SignatureHeader returns the X-Hub-Signature-256 value of body, as GitHub sends it.
func SignatureHeader(secret, body []byte) string {
	return "sha256=" + hex.EncodeToString(Sign(secret, body))
}

// contentForm is GitHub's other payload encoding: payload=<url-encoded JSON>.
const (
	contentJSON = "application/json"
	contentForm = "application/x-www-form-urlencoded"
)

// verifyRequest checks everything but the payload: content type, size, and
// the signature of the raw body. It returns the raw body, read into buf.
func verifyRequest(r *http.Request, secret []byte, buf *bytes.Buffer) (body []byte, mediaType string, err error) {
	mediaType, _, err = mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mediaType != contentJSON && mediaType != contentForm) {
		return nil, "", refuse(http.StatusUnsupportedMediaType, "content type must be %s or %s", contentJSON, contentForm)
	}
	if body, err = readBody(r, buf); err != nil {
		return nil, "", err
	}
	if r.Header.Get(HeaderSignature) == "" && r.Header.Get(HeaderSignatureSHA1) != "" {
		return nil, "", refuse(http.StatusUnauthorized, "%s (SHA-1) is not accepted: send %s", HeaderSignatureSHA1, HeaderSignature)
	}
	if err := VerifySignature(secret, body, r.Header.Get(HeaderSignature)); err != nil {
		return nil, "", refuse(http.StatusUnauthorized, "%v", err)
	}
	return body, mediaType, nil
}

// deliveryHeaders reads and checks the event type and delivery id.
func deliveryHeaders(r *http.Request) (event, id string, err error) {
	event, id = r.Header.Get(HeaderEvent), r.Header.Get(HeaderDelivery)
	switch {
	case event == "" || !printable(event, 64):
		return "", "", refuse(http.StatusBadRequest, "missing or malformed %s header", HeaderEvent)
	case id == "" || !printable(id, maxDeliveryIDLen):
		return "", "", refuse(http.StatusBadRequest, "missing or malformed %s header", HeaderDelivery)
	}
	return event, id, nil
}

// printable reports whether s is at most max bytes of printable ASCII.
func printable(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// envelope is the part of every event payload the intake stores beside it.
type envelope struct {
	Action       string `json:"action"`
	Installation *struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	Repository *struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// envelopeFields are the members of a payload envelope reads.
var envelopeFields = []string{"action", "installation.id", "repository.full_name"}

// ParsePayload decodes a verified body of the given media type into d: the
// JSON object (for a form-encoded body, its payload field) and the envelope
// stored beside it (action, installation id, repository). The payload is
// validated and its envelope picked in one pass (jsonscan.PickMembers): only those
// few bytes go through encoding/json.
func ParsePayload(body []byte, mediaType string, d *store.Delivery) error {
	payload := body
	if mediaType == contentForm {
		form, err := url.ParseQuery(string(body))
		if err != nil || !form.Has("payload") {
			return malformedPayload("form-encoded body without a payload field")
		}
		payload = []byte(form.Get("payload"))
	}
	fields, _, err := jsonscan.PickMembers(payload, envelopeFields)
	if errors.Is(err, jsonscan.ErrNotObject) {
		return malformedPayload("payload is not a JSON object")
	}
	if err != nil {
		return malformedPayload("payload is not valid JSON: %s", jsonErrorOffset(err, len(payload)))
	}
	var env envelope
	if err := json.Unmarshal(fields, &env); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return malformedPayload("field %s has the wrong type", typ.Field)
		}
		return malformedPayload("payload envelope: malformed")
	}
	d.Payload, d.Action = payload, env.Action
	if env.Installation != nil {
		d.InstallationID = env.Installation.ID
	}
	if env.Repository != nil {
		d.Repo = env.Repository.FullName
	}
	return nil
}

// jsonErrorOffset describes a syntax error by offset only, so that the
// answer never echoes the payload.
func jsonErrorOffset(err error, payloadLen int) string {
	var syn *jsonscan.SyntaxError
	switch {
	case !errors.As(err, &syn):
		return "malformed"
	case syn.Offset >= payloadLen:
		return "truncated"
	}
	return fmt.Sprintf("syntax error at byte %d", syn.Offset)
}
