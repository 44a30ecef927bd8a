package federation

import (
	"bytes"
	"context"
	"sync"
)

// Transport carries federation messages between nodes: a feed of JSON
// messages per region. Send appends a message to a region's feed; Feed
// reads a region's feed from a position. A transport may be a message
// queue, an HTTP exchange between platforms or, for tests and examples,
// MemoryTransport. Implementations must be safe for concurrent use and must
// not change a message's bytes.
type Transport interface {
	// Send appends msg (one JSON document) to the feed of region to.
	Send(ctx context.Context, to string, msg []byte) error
	// Feed returns up to limit messages of region's feed after position
	// after (0 reads from the start), oldest first.
	Feed(ctx context.Context, region string, after int64, limit int) ([]FeedItem, error)
}

// FeedItem is one message of a feed at its position (1, 2, ...).
type FeedItem struct {
	Pos  int64
	Body []byte
}

// MemoryTransport is an in-process Transport: one feed per region in
// memory. It also keeps every message sent, for tests that inspect what
// crossed the boundary. Its zero value is ready to use.
type MemoryTransport struct {
	mu    sync.Mutex
	feeds map[string][][]byte
	sent  []SentMessage
}

// SentMessage is a message as it crossed the boundary.
type SentMessage struct {
	To   string
	Body []byte
}

var _ Transport = (*MemoryTransport)(nil)

// NewMemoryTransport returns an empty in-process transport.
func NewMemoryTransport() *MemoryTransport { return &MemoryTransport{} }

// Send implements Transport.
func (t *MemoryTransport) Send(ctx context.Context, to string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.feeds == nil {
		t.feeds = make(map[string][][]byte)
	}
	t.feeds[to] = append(t.feeds[to], bytes.Clone(msg))
	t.sent = append(t.sent, SentMessage{To: to, Body: bytes.Clone(msg)})
	return nil
}

// Feed implements Transport.
func (t *MemoryTransport) Feed(ctx context.Context, region string, after int64, limit int) ([]FeedItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	feed := t.feeds[region]
	var out []FeedItem
	for i := max(after, 0); i < int64(len(feed)); i++ {
		out = append(out, FeedItem{Pos: i + 1, Body: bytes.Clone(feed[i])})
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// Sent returns a copy of every message sent so far, in order.
func (t *MemoryTransport) Sent() []SentMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]SentMessage, len(t.sent))
	for i, m := range t.sent {
		out[i] = SentMessage{To: m.To, Body: bytes.Clone(m.Body)}
	}
	return out
}
