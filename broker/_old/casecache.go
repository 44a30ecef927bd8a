package broker

import (
	"bytes"
	"slices"
	"sync"

	"github.com/kexie/techbroker/broker/driver"
)

// caseCache keeps the decoded form of recently read or written case
// bodies, so that a stage move does not decode JSON again for a case it has
// just seen. An entry is used only when the stored body is byte-for-byte the
// cached one, so it is never stale, whichever System or process wrote the
// record; values are deep-copied in and out. It holds at most
// caseCacheSize entries and starts afresh when full.
type caseCache struct {
	mu sync.Mutex
	m  map[string]cachedCase
}

type cachedCase struct {
	body []byte
	c    Case
}

const caseCacheSize = 4096

func (s *System) decodeCase(rec driver.Record) (Case, error) {
	cc := &s.cases
	cc.mu.Lock()
	e, ok := cc.m[rec.ID]
	cc.mu.Unlock()
	if ok && bytes.Equal(e.body, rec.Body) {
		c := e.c.clone()
		c.ID, c.Version = rec.ID, rec.Version
		return c, nil
	}
	c, err := s.caseLib().decodeRecord(rec)
	if err != nil {
		return Case{}, err
	}
	cc.put(rec.ID, rec.Body, c)
	return c, nil
}

// put remembers body as the encoding of c. body must not be changed later.
func (cc *caseCache) put(id string, body []byte, c Case) {
	c = c.clone()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.m == nil || len(cc.m) >= caseCacheSize {
		cc.m = make(map[string]cachedCase)
	}
	cc.m[id] = cachedCase{body: body, c: c}
}

// clone returns a deep copy of c.
func (c Case) clone() Case {
	c.Owners = slices.Clone(c.Owners)
	c.Services = slices.Clone(c.Services)
	if c.Screening != nil {
		v := *c.Screening
		v.Panel = slices.Clone(v.Panel)
		c.Screening = &v
	}
	return c
}
