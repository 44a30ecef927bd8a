package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// cursor is a node's position in its region's feed: the position of the
// last message handled. Every message is handled in the transaction that
// advances it, so nodes over one store handle each message once.
type cursor struct {
	broker.Meta
	Pos int64 `json:"pos" validate:"min=0"`
}

// RecordKind is KindCursor.
func (cursor) RecordKind() broker.Kind { return KindCursor }

// SyncReport says what Sync did.
type SyncReport struct {
	// Processed counts the messages this call handled, accepted or not.
	Processed int
	// Rejected lists the messages refused, each with a clear error (an
	// *Error): a region without an agreement, a profile that fails
	// CheckProfile, malformed JSON, an unknown interest.
	Rejected []error
}

// feedPage is how many messages Sync asks the transport for at a time.
const feedPage = 100

// maxMessage bounds a message's size: a profile is a few kilobytes, and
// every text of a longer one would be refused anyway.
const maxMessage = 1 << 20

// Sync reads this node's feed from where it stopped and handles every new
// message, each in its own transaction together with the node's feed
// position, so a message is handled once even across restarts and when
// several nodes of the region run over one store (a message another node
// handled meanwhile is skipped, and not counted). Refused messages are
// skipped and reported; replies that must go back (an introduction after
// an acceptance) are sent after their transaction. A storage or transport
// failure stops Sync; the next call resumes with the message it was on.
func (f *Federation) Sync(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	code := f.o.Region.Code
	if err := f.openCursor(ctx); err != nil {
		return rep, broker.Wrap("sync", KindCursor, code, err)
	}
	for {
		cur, err := f.cursors.Get(ctx, f.svc, code)
		if err != nil {
			return rep, broker.Wrap("sync", KindCursor, code, err)
		}
		items, err := f.o.Transport.Feed(ctx, code, cur.Pos, feedPage)
		if err != nil {
			return rep, broker.Wrap("sync", KindCursor, code, err)
		}
		if len(items) == 0 {
			return rep, nil
		}
		for _, it := range items {
			var reply *Message
			var refused error
			var handled bool
			err := f.sys.Update(ctx, func(tx *broker.Tx) error {
				reply, refused, handled = nil, nil, false
				cur, err := broker.Read[cursor](tx, code)
				if err != nil {
					return err
				}
				if it.Pos <= cur.Pos {
					return nil // handled by another node over the same store
				}
				// The cursor first: its version serializes the nodes of a
				// region, so two never handle one message.
				cur.Pos = it.Pos
				if _, err := broker.Replace(tx, f.svc, cur, broker.Logged("advanced", nil)); err != nil {
					return err
				}
				handled = true
				reply, refused, err = f.handle(tx, it.Body)
				return err
			})
			if err != nil {
				return rep, broker.Wrap("sync", KindCursor, code, err)
			}
			if !handled {
				continue
			}
			rep.Processed++
			if refused != nil {
				rep.Rejected = append(rep.Rejected, refused)
			}
			if reply != nil {
				if err := f.send(ctx, *reply); err != nil {
					return rep, broker.Wrap("sync", KindCursor, code, err)
				}
			}
		}
	}
}

// openCursor stores the node's cursor at position 0 unless it exists.
func (f *Federation) openCursor(ctx context.Context) error {
	code := f.o.Region.Code
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		_, err := broker.Read[cursor](tx, code)
		if !errors.Is(err, broker.ErrNotFound) {
			return err
		}
		_, err = broker.Create(tx, f.svc, cursor{Meta: broker.Meta{ID: code, Visibility: broker.Confidential}})
		return err
	})
	if errors.Is(err, broker.ErrExists) {
		return nil // another node of the region opened it meanwhile
	}
	return err
}

// handle processes one message inside tx. It returns the reply to send
// after the transaction, if any; a refusal (an *Error), for which handle
// has written nothing; or a storage failure, which fails the transaction.
// Each message writes at most one record, after every check that can
// refuse it, so a refusal leaves only the cursor's advance to commit.
func (f *Federation) handle(tx *broker.Tx, body []byte) (*Message, error, error) {
	var m Message
	if len(body) > maxMessage {
		return nil, &Error{Err: fmt.Errorf("malformed message: %d bytes, more than %d", len(body), maxMessage)}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, &Error{Err: fmt.Errorf("malformed message: %w", err)}, nil
	}
	refuse := func(err error) (*Message, error, error) {
		return nil, &Error{Message: m.ID, Region: m.From, Err: err}, nil
	}
	// write runs the message's one write: the core's refusals of bad data
	// (broker.ErrInvalid, broker.ErrForbidden) are found before it touches
	// the store, and refuse the message; anything else is a storage failure.
	write := func(err error) (*Message, error, error) {
		if errors.Is(err, broker.ErrInvalid) || errors.Is(err, broker.ErrForbidden) {
			return refuse(err)
		}
		return nil, nil, err
	}
	if m.To != f.o.Region.Code {
		return refuse(fmt.Errorf("addressed to %q, not to this region %q", m.To, f.o.Region.Code))
	}
	now := tx.Now()
	desk := ""
	if m.Profile != nil {
		desk = m.Profile.Broker
	}
	if _, ok, err := f.agreementWith(tx, m.From, desk, now); err != nil {
		return nil, nil, err
	} else if !ok {
		return refuse(ErrNoAgreement)
	}
	switch m.Type {
	case MsgProfile:
		if m.Profile == nil {
			return refuse(errors.New("a profile message without a profile"))
		}
		if m.Profile.Region != m.From {
			return refuse(fmt.Errorf("profile of region %q sent by region %q", m.Profile.Region, m.From))
		}
		if err := CheckProfile(*m.Profile, Private{}); err != nil {
			return refuse(err)
		}
		sp := SharedProfile{Meta: broker.Meta{ID: profileRecordID(m.From, m.Profile.ID), Visibility: broker.Members, Region: m.From},
			Profile: *m.Profile, Received: now}
		cur, err := broker.Read[SharedProfile](tx, sp.ID)
		switch {
		case err == nil:
			sp.Version = cur.Version
			_, err = broker.Replace(tx, f.svc, sp)
		case errors.Is(err, broker.ErrNotFound):
			_, err = broker.Create(tx, f.svc, sp, broker.Logged("received", nil))
		}
		return write(err)
	case MsgInterest:
		in := m.Interest
		if in == nil || in.ID == "" || in.Profile == "" || in.Org == "" {
			return refuse(errors.New("an interest needs its id, profile and org"))
		}
		if !remoteID.MatchString(in.ID) {
			return refuse(fmt.Errorf("malformed interest id %q (ASCII letters, digits, . _ ~ -, at most 31)", in.ID))
		}
		if in.Contact != nil {
			return refuse(errors.New("an interest must not carry contact data before acceptance"))
		}
		c := &broker.Check{}
		if checkLeaks(c, "interest.", []text{{"org", in.Org, true}, {"note", in.Note, true}}, nil); c.Len() > 0 {
			return refuse(c.Err(KindInterest))
		}
		l, err := sharedRecord(tx, in.Profile)
		if errors.Is(err, broker.ErrNotFound) {
			return refuse(fmt.Errorf("no listing or demand %q here", in.Profile))
		} else if err != nil {
			return nil, nil, err
		}
		if _, ok, err := f.agreementWith(tx, m.From, l.desk, now); err != nil {
			return nil, nil, err
		} else if !ok {
			return refuse(ErrNoAgreement)
		}
		x := Interest{Meta: broker.Meta{ID: m.From + "." + in.ID, Broker: l.desk, Visibility: broker.Confidential},
			Remote: m.From, RemoteID: in.ID, Profile: in.Profile, Title: l.title, RemoteOrg: in.Org, Note: in.Note,
			Owner: l.owner, OwnerID: l.ownerID, Status: InterestReceived}
		if _, err := broker.Read[Interest](tx, x.ID); err == nil {
			return refuse(fmt.Errorf("interest %s already received", in.ID))
		} else if !errors.Is(err, broker.ErrNotFound) {
			return nil, nil, err
		}
		_, err = broker.Create(tx, f.svc, x, broker.Logged(string(InterestReceived), nil))
		return write(err)
	case MsgAccept, MsgDecline, MsgIntroduce:
		in := m.Interest
		if in == nil || in.ID == "" {
			return refuse(errors.New("a reply needs the interest id"))
		}
		id := in.ID
		if m.Type == MsgIntroduce {
			id = m.From + "." + in.ID // the owner's side stores remote interests under region.id
		}
		x, err := broker.Read[Interest](tx, id)
		if errors.Is(err, broker.ErrNotFound) {
			return refuse(fmt.Errorf("no interest %q here", in.ID))
		} else if err != nil {
			return nil, nil, err
		}
		if x.Remote != m.From {
			return refuse(fmt.Errorf("interest %s concerns region %s", id, x.Remote))
		}
		var reply *Message
		switch m.Type {
		case MsgAccept:
			if !x.Outgoing || x.Status != InterestSent || in.Contact == nil {
				return refuse(fmt.Errorf("interest %s cannot be accepted now (status %s)", id, x.Status))
			}
			x.Status, x.Counterpart, x.Decided = InterestAccepted, in.Contact, now
			var own PartyContact
			if x.Contact != nil {
				own = *x.Contact
			}
			if own.Org, err = orgName(tx, x.Org); err != nil {
				return nil, nil, err
			}
			reply = &Message{Type: MsgIntroduce, From: f.o.Region.Code, To: m.From, Sent: now,
				Interest: &InterestMsg{ID: x.ID, Profile: x.Profile, Contact: &own}}
			reply.ID = messageID(*reply, x.ID)
		case MsgDecline:
			if !x.Outgoing || x.Status != InterestSent {
				return refuse(fmt.Errorf("interest %s cannot be declined now (status %s)", id, x.Status))
			}
			x.Status, x.Decided, x.Reason = InterestDeclined, now, textnorm.Multiline(in.Note)
		case MsgIntroduce:
			if x.Outgoing || x.Status != InterestAccepted || in.Contact == nil {
				return refuse(fmt.Errorf("interest %s: introduction before acceptance", id))
			}
			x.Counterpart = in.Contact
		}
		if _, err := broker.Replace(tx, f.svc, x, broker.Logged(string(m.Type), nil)); err != nil {
			return write(err)
		}
		return reply, nil, nil
	}
	return refuse(fmt.Errorf("unknown message type %q", m.Type))
}
