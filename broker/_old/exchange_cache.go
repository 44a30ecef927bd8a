package broker

import (
	"bytes"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// exchangeCache keeps the last decoded book of each bidding listing, keyed
// by the exact stored body: a book read in a transaction whose body equals
// the cached body is the cached value, so a bid does not decode JSON. The
// key is the content, not the version, so a write from an aborted
// transaction can never be served for a different committed one. It is a
// System's own state (no package-level state) and its zero value is ready.
type exchangeCache struct {
	mu    sync.Mutex
	books map[string]cachedBook
}

type cachedBook struct {
	body []byte
	b    book
}

const maxCachedBooks = 4096

func (c *exchangeCache) get(id string, body []byte) (book, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.books[id]
	if !ok || !bytes.Equal(e.body, body) {
		return book{}, false
	}
	return e.b, true
}

func (c *exchangeCache) put(id string, body []byte, b book) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.books == nil || len(c.books) >= maxCachedBooks {
		c.books = make(map[string]cachedBook)
	}
	c.books[id] = cachedBook{body: body, b: b}
}

// The encoders below write the same JSON as encoding/json would for book
// and Bid (field names from their tags, decimals as quoted strings, times
// in RFC 3339 with nanoseconds), without reflection: they run inside the
// store's transaction on every bid. Tests check them against
// encoding/json.

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func appendField(b []byte, name string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendDecimal(b []byte, d decimal.Decimal) []byte {
	b = append(b, '"')
	b = append(b, d.String()...)
	return append(b, '"')
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func (bk *book) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendField(b, "id")
	b = appendJSONString(b, bk.ID)
	if bk.Broker != "" {
		b = appendField(b, "broker")
		b = appendJSONString(b, bk.Broker)
	}
	b = appendField(b, "method")
	b = appendJSONString(b, string(bk.Method))
	b = appendField(b, "reserve")
	b = appendDecimal(b, bk.Reserve)
	b = appendField(b, "increment")
	b = appendDecimal(b, bk.Increment)
	b = appendField(b, "deposit")
	b = appendDecimal(b, bk.Deposit)
	b = appendField(b, "closes")
	b = appendTime(b, bk.Closes)
	b = appendField(b, "expires")
	b = appendTime(b, bk.Expires)
	b = appendField(b, "status")
	b = appendJSONString(b, string(bk.Status))
	b = appendField(b, "seq")
	b = strconv.AppendInt(b, bk.Seq, 10)
	if bk.DepSeq != 0 {
		b = appendField(b, "dep_seq")
		b = strconv.AppendInt(b, bk.DepSeq, 10)
	}
	b = appendField(b, "high")
	b = appendDecimal(b, bk.High)
	if bk.HighBidder != "" {
		b = appendField(b, "high_bidder")
		b = appendJSONString(b, bk.HighBidder)
	}
	if bk.HighBid != "" {
		b = appendField(b, "high_bid")
		b = appendJSONString(b, bk.HighBid)
	}
	return append(b, '}')
}

// appendJSON writes a bid as encoding/json writes Bid (Meta flattened).
func (x *Bid) appendJSON(b []byte) []byte {
	b = append(b, '{')
	m := &x.Meta
	b = appendField(b, "id")
	b = appendJSONString(b, m.ID)
	b = appendField(b, "version")
	b = strconv.AppendInt(b, m.Version, 10)
	b = appendField(b, "created")
	b = appendTime(b, m.Created)
	b = appendField(b, "updated")
	b = appendTime(b, m.Updated)
	if m.Broker != "" {
		b = appendField(b, "broker")
		b = appendJSONString(b, m.Broker)
	}
	if m.Visibility != "" {
		b = appendField(b, "visibility")
		b = appendJSONString(b, string(m.Visibility))
	}
	if m.Region != "" {
		b = appendField(b, "region")
		b = appendJSONString(b, m.Region)
	}
	b = appendField(b, "provenance")
	p := m.Provenance
	sub := []byte{'{'}
	for _, f := range [...]struct{ k, v string }{{"added_by", p.AddedBy}, {"society", p.Society}, {"batch", p.Batch}, {"broker", p.Broker}, {"source", p.Source}} {
		if f.v != "" {
			sub = appendField(sub, f.k)
			sub = appendJSONString(sub, f.v)
		}
	}
	b = append(b, sub...)
	b = append(b, '}')
	b = appendField(b, "listing")
	b = appendJSONString(b, x.Listing)
	b = appendField(b, "seq")
	b = strconv.AppendInt(b, x.Seq, 10)
	b = appendField(b, "bidder")
	b = appendJSONString(b, x.Bidder)
	b = appendField(b, "amount")
	b = appendDecimal(b, x.Amount)
	if x.Ref != "" {
		b = appendField(b, "ref")
		b = appendJSONString(b, x.Ref)
	}
	b = appendField(b, "placed")
	b = appendTime(b, x.Placed)
	if x.Sealed {
		b = appendField(b, "sealed")
		b = append(b, "true"...)
	}
	return append(b, '}')
}
