package store

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
)

// Payload encodings (delivery_payloads.encoding).
const (
	payloadRaw = ""
	payloadS2  = "s2"
)

// Pack compresses d's payload for storing (S2: about 25 µs and 7× smaller
// for a 35 kB pull_request payload). InsertDeliveryTx packs an unpacked
// delivery itself; the intake packs before handing a delivery to its single
// writer, so that compression runs on every core and the writer only
// writes a few pages per delivery.
//
// The result is sized to the compressed bytes: s2.Encode wants room for
// an incompressible payload, and a payload kept in memory for its job
// (delivery's recent payloads) would otherwise hold that whole room, 8×
// what it needs.
func (d *Delivery) Pack() {
	if d.packed != nil {
		return
	}
	scratch := packScratch.Get().(*[]byte)
	if n := s2.MaxEncodedLen(len(d.Payload)); cap(*scratch) < n {
		*scratch = make([]byte, n)
	}
	d.packed = bytes.Clone(s2.Encode((*scratch)[:cap(*scratch)], d.Payload))
	packScratch.Put(scratch)
}

// packScratch holds Pack's encoding buffers.
var packScratch = sync.Pool{New: func() any { return new([]byte) }}

// Packed returns the payload as Pack compressed it, nil before Pack.
func (d *Delivery) Packed() []byte { return d.packed }

// UnpackPayload decodes a payload Packed returned.
func UnpackPayload(packed []byte) ([]byte, error) { return unpack(payloadS2, packed) }

// unpack decodes a stored payload.
func unpack(encoding string, stored []byte) ([]byte, error) {
	switch encoding {
	case payloadRaw:
		return stored, nil
	case payloadS2:
		payload, err := s2.Decode(nil, stored)
		if err != nil {
			return nil, fmt.Errorf("payload: %w", err)
		}
		return payload, nil
	}
	return nil, fmt.Errorf("payload: unknown encoding %q", encoding)
}
