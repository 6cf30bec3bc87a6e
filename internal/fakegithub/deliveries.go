package fakegithub

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"
)

// HookDeliveries is the App's webhook delivery log: GET /app/hook/deliveries
// (newest first, cursor-paginated like GitHub) and
// POST /app/hook/deliveries/{id}/attempts (a redelivery request, recorded
// and logged as a new attempt with the same GUID).
type HookDeliveries struct {
	mu          sync.Mutex
	log         []*github.HookDelivery
	redelivered []int64
	nextID      int64
}

// ServeHookDeliveries registers the delivery endpoints on s with the log ds.
func ServeHookDeliveries(s *Server, ds ...*github.HookDelivery) *HookDeliveries {
	h := &HookDeliveries{log: slices.Clone(ds)}
	for _, d := range ds {
		h.nextID = max(h.nextID, d.GetID())
	}
	s.Handle("GET /app/hook/deliveries", AuthApp, func(w http.ResponseWriter, r *http.Request) { h.list(w, r, s.maxPerPage) })
	s.Handle("POST /app/hook/deliveries/{id}/attempts", AuthApp, h.redeliver)
	return h
}

// Redelivered returns the ids of the deliveries whose redelivery was asked, in order.
func (h *HookDeliveries) Redelivered() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.redelivered)
}

// NewHookDelivery returns a delivery log entry. statusCode 0 means GitHub
// got no answer (a timeout or refused connection), which it logs as 502.
func NewHookDelivery(id int64, guid, event, action string, at time.Time, statusCode int, redelivery bool) *github.HookDelivery {
	status := "OK"
	if statusCode == 0 {
		statusCode, status = http.StatusBadGateway, "Invalid HTTP Response: 502"
	} else if statusCode >= 300 {
		status = fmt.Sprintf("Invalid HTTP Response: %d", statusCode)
	}
	return &github.HookDelivery{
		ID: &id, GUID: &guid, Event: &event, Action: &action, DeliveredAt: &github.Timestamp{Time: at},
		StatusCode: &statusCode, Status: &status, Redelivery: &redelivery,
	}
}

// cursorPrefix marks the fake's opaque cursors: an offset into the log.
const cursorPrefix = "v1_"

// list pages like GitHub, with per_page capped at maxPerPage (WithMaxPerPage).
func (h *HookDeliveries) list(w http.ResponseWriter, r *http.Request, maxPerPage int) {
	h.mu.Lock()
	all := slices.Clone(h.log)
	h.mu.Unlock()
	slices.SortStableFunc(all, func(a, b *github.HookDelivery) int {
		return cmp.Or(b.GetDeliveredAt().Compare(a.GetDeliveredAt().Time), cmp.Compare(b.GetID(), a.GetID()))
	})
	q := r.URL.Query()
	perPage := min(max(atoiOr(q.Get("per_page"), defaultPerPage), 1), maxPerPage)
	offset := 0
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, cursorPrefix))
		if err != nil || !strings.HasPrefix(c, cursorPrefix) || n < 0 || n > len(all) {
			WriteError(w, http.StatusUnprocessableEntity, "Invalid cursor")
			return
		}
		offset = n
	}
	end := min(offset+perPage, len(all))
	if end < len(all) {
		q.Set("cursor", cursorPrefix+strconv.Itoa(end))
		q.Set("per_page", strconv.Itoa(perPage))
		next := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.String()))
	}
	WriteJSON(w, http.StatusOK, all[offset:end])
}

func (h *HookDeliveries) redeliver(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	h.mu.Lock()
	defer h.mu.Unlock()
	i := slices.IndexFunc(h.log, func(d *github.HookDelivery) bool { return d.GetID() == id })
	if i < 0 {
		WriteError(w, http.StatusNotFound, "Not Found")
		return
	}
	h.redelivered = append(h.redelivered, id)
	h.nextID++
	orig := h.log[i]
	h.log = append(h.log, NewHookDelivery(h.nextID, orig.GetGUID(), orig.GetEvent(), orig.GetAction(), time.Now(), http.StatusAccepted, true))
	WriteJSON(w, http.StatusAccepted, struct{}{})
}
