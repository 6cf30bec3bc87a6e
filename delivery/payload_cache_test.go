package delivery

import (
	"fmt"
	"testing"
)

func TestRecentPayloads(t *testing.T) {
	c := newRecentPayloads()
	c.put("a", []byte("payload a"))
	c.put("a", []byte("a redelivery"))
	if got, ok := c.take("a"); !ok || string(got) != "payload a" {
		t.Fatalf("take(a) = %q, %v", got, ok)
	}
	if _, ok := c.take("a"); ok {
		t.Fatal("a payload was taken twice")
	}
	// Beyond the bound the oldest go first.
	big := make([]byte, recentPayloadBytes/4)
	for i := range 6 {
		c.put(fmt.Sprint(i), big)
	}
	for i := range 6 {
		if _, ok := c.take(fmt.Sprint(i)); ok != (i >= 2) {
			t.Errorf("payload %d kept: %v", i, ok)
		}
	}
	if c.bytes != 0 || c.order.Len() != 0 || len(c.byID) != 0 {
		t.Fatalf("emptied cache holds %d bytes, %d entries", c.bytes, c.order.Len())
	}
	c.put("huge", make([]byte, recentPayloadBytes+1))
	if _, ok := c.take("huge"); ok {
		t.Fatal("a payload over the bound was kept")
	}
	// The bound is on memory: a short payload in a large buffer counts whole.
	c.put("roomy", make([]byte, 1, recentPayloadBytes+1))
	if _, ok := c.take("roomy"); ok {
		t.Fatal("a payload holding more than the bound was kept")
	}
}
