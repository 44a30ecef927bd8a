package broker

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker/driver"
)

// ServicePackage is an industry broker's standard service package
// (标准服务产品包): the catalog of services it offers, each with a fee. Its
// ID and its Meta.Broker are the broker's ID: one package per broker.
type ServicePackage struct {
	Meta
	Name     string        `json:"name" validate:"required,max=200"`
	Services []ServiceItem `json:"services" validate:"max=200,dive"`
}

// ServiceItem is one service of a package.
type ServiceItem struct {
	Code        string          `json:"code" validate:"required,max=32"` // e.g. "S01"
	Name        string          `json:"name" validate:"required,max=200"`
	Description string          `json:"description,omitempty" validate:"max=2000"`
	Fee         decimal.Decimal `json:"fee"`                              // yuan per Unit
	Unit        string          `json:"unit,omitempty" validate:"max=32"` // e.g. 次, 项, 件
}

// DeliveredService is a service delivered on a case, with the fee the
// catalog listed at delivery.
type DeliveredService struct {
	Code string          `json:"code"`
	Name string          `json:"name"`
	Fee  decimal.Decimal `json:"fee"`
	At   time.Time       `json:"at"`
	By   string          `json:"by"`
	Note string          `json:"note,omitempty"`
}

func (ServicePackage) kind() Kind                            { return KindServicePackage }
func (sp ServicePackage) getMeta() Meta                      { return sp.Meta }
func (sp ServicePackage) withMeta(m Meta) ServicePackage     { sp.Meta = m; return sp }
func (sp ServicePackage) stage() string                      { return "" }
func (sp ServicePackage) dedupKey() string                   { return "" }
func (sp ServicePackage) ownerOrgs() []string                { return nil }
func (sp ServicePackage) redactFor(Principal) ServicePackage { return sp }
func (ServicePackage) columns() map[string]setter[ServicePackage] {
	return withColumns(metaColumns(func(sp *ServicePackage) *Meta { return &sp.Meta }), map[string]setter[ServicePackage]{
		"name": func(sp *ServicePackage, s string, c *checker) { sp.Name = s },
	})
}

func (sp ServicePackage) normalized() ServicePackage {
	sp.Meta.normalize()
	sp.ID = normText(sp.ID)
	if sp.ID == "" {
		sp.ID = sp.Broker
	}
	if sp.Broker == "" {
		sp.Broker = sp.ID
	}
	sp.Name = normText(sp.Name)
	if sp.Services != nil {
		items := make([]ServiceItem, len(sp.Services))
		for i, it := range sp.Services {
			items[i] = ServiceItem{Code: normCode(it.Code), Name: normText(it.Name), Description: normMultiline(it.Description), Fee: it.Fee, Unit: normText(it.Unit)}
		}
		sp.Services = items
	}
	return sp
}

func (sp ServicePackage) check(c *checker, s *System) {
	if sp.Broker == "" {
		c.add("broker", "required", "", "")
	} else if sp.ID != sp.Broker {
		c.add("id", "invalid", "", "a service package's id is its broker's id")
	}
	seen := map[string]bool{}
	for i, it := range sp.Services {
		f := "services[" + itoa(i) + "]"
		if seen[it.Code] {
			c.add(f+".code", "unique", "", it.Code)
		}
		seen[it.Code] = true
		checkMoney(c, f+".fee", it.Fee)
	}
}

// Item returns the service with that code.
func (sp ServicePackage) Item(code string) (ServiceItem, bool) {
	code = normCode(code)
	for _, it := range sp.Services {
		if it.Code == code {
			return it, true
		}
	}
	return ServiceItem{}, false
}

// Delivery records a service delivered on a case.
type Delivery struct {
	Code string // the service's code in the broker's package
	Note string
}

// DeliverService records that a service of the handling broker's package
// was delivered on a case: the service, its catalog fee, the time and the
// actor are appended to the case and a "service" event is written, in one
// transaction. The case must be open; the principal must be a platform
// admin or on the broker's staff. ErrInvalid if the code is not in the
// package (or the broker has no package).
func (s *System) DeliverService(ctx context.Context, p Principal, caseID string, d Delivery) (Case, error) {
	var out Case
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		lib := s.caseLib()
		rec, err := tx.Get(ctx, string(KindCase), caseID)
		if err != nil {
			return err
		}
		c, err := lib.decodeRecord(rec)
		if err != nil {
			return err
		}
		if !p.canWorkCase(c.Broker) {
			return forbidden("deliver service", KindCase, caseID, "only platform admins and the handling broker's staff")
		}
		if !c.Stage.Open() {
			return &TransitionError{Kind: KindCase, ID: caseID, From: string(c.Stage), To: string(c.Stage), Reason: "services are delivered on open cases only"}
		}
		item, ok := ServiceItem{}, false
		prec, err := tx.Get(ctx, string(KindServicePackage), c.Broker)
		if err == nil {
			var sp ServicePackage
			if err := decode(prec.Body, &sp); err != nil {
				return err
			}
			item, ok = sp.Item(d.Code)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if !ok {
			return &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "code", Code: "ref", Value: d.Code}}}
		}
		ds := DeliveredService{Code: item.Code, Name: item.Name, Fee: item.Fee, At: s.now(), By: p.ID, Note: normMultiline(d.Note)}
		ch := &checker{}
		checkText(ch, "note", ds.Note, 2000)
		if err := ch.err(KindCase); err != nil {
			return err
		}
		c.Services = append(c.Services, ds)
		c.Updated = ds.At
		c.Version = rec.Version
		if err := s.writeCaseTx(ctx, tx, p, &c, EventService, ds); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return Case{}, wrap("deliver service", KindCase, caseID, err)
	}
	return out, nil
}
