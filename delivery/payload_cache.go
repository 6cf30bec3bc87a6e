package delivery

import (
	"container/list"
	"sync"
)

// recentPayloadBytes bounds the memory of the payloads kept for their jobs
// (their capacity), compressed as the store keeps them
// (store.Delivery.Packed): a burst of about 6,000 pull_request deliveries.
const recentPayloadBytes = 32 << 20

// recentPayloads hands a delivery's compressed payload from the intake to
// its job in memory: the job otherwise reads back what the intake has just
// written (a tenth of a job's CPU under load; decompressing is 3% of that). Taking an entry
// removes it; a job that finds none (after a restart, a rerun, a burst
// beyond the bound) reads the store, which stays the record.
type recentPayloads struct {
	mu    sync.Mutex
	bytes int
	order *list.List               // of *recentPayload, oldest first
	byID  map[string]*list.Element // delivery id → its element in order
}

type recentPayload struct {
	id      string
	payload []byte
}

func newRecentPayloads() *recentPayloads {
	return &recentPayloads{order: list.New(), byID: map[string]*list.Element{}}
}

// put keeps the payload of a stored delivery, dropping the oldest beyond
// the bound.
func (c *recentPayloads) put(id string, payload []byte) {
	if len(payload) == 0 || cap(payload) > recentPayloadBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[id]; ok {
		return
	}
	c.byID[id] = c.order.PushBack(&recentPayload{id: id, payload: payload})
	for c.bytes += cap(payload); c.bytes > recentPayloadBytes; {
		c.remove(c.order.Front())
	}
}

// take returns and forgets the payload of delivery id, if kept.
func (c *recentPayloads) take(id string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	c.remove(e)
	return e.Value.(*recentPayload).payload, true
}

func (c *recentPayloads) remove(e *list.Element) {
	p := c.order.Remove(e).(*recentPayload)
	delete(c.byID, p.id)
	c.bytes -= cap(p.payload)
}
