package broker

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Blueprint is the declarative pack that builds a whole system: its
// industry brokers and settings, so that another city can copy a model. It
// is a JSON document; LoadBlueprint validates it.
type Blueprint struct {
	Name     string `json:"name" validate:"required,max=200"`
	NameEN   string `json:"name_en,omitempty" validate:"max=200"`
	Region   string `json:"region,omitempty" validate:"max=100"`
	Exchange string `json:"exchange,omitempty" validate:"max=200"` // the technology exchange the brokers list on
	// Disciplines and IndustryCodes, if given, are the code lists the system
	// accepts (Options.Disciplines / IndustryCodes).
	Disciplines   []Code           `json:"disciplines,omitempty" validate:"max=2000,dive"`
	IndustryCodes []Code           `json:"industry_codes,omitempty" validate:"max=2000,dive"`
	Brokers       []IndustryBroker `json:"brokers" validate:"required,min=1,max=200,dive"`
}

// Code is an entry of a code list.
type Code struct {
	Code   string `json:"code" validate:"required,max=32"`
	Name   string `json:"name" validate:"required,max=100"`
	NameEN string `json:"name_en,omitempty" validate:"max=100"`
}

//go:embed blueprints/yangpu.json
var yangpuJSON []byte

// Yangpu returns the Yangpu blueprint: the seven model rooms (样板间) that
// Shanghai's Yangpu district runs with the Shanghai Technology Exchange.
func Yangpu() *Blueprint {
	bp, err := LoadBlueprint(bytes.NewReader(yangpuJSON))
	if err != nil {
		panic("broker: embedded Yangpu blueprint is invalid: " + err.Error()) // a build defect, caught by tests
	}
	return bp
}

// LoadBlueprint reads and validates a blueprint. Unknown fields are errors.
// A bad blueprint returns a *ValidationError (matching ErrInvalid) listing
// every bad field.
func LoadBlueprint(r io.Reader) (*Blueprint, error) {
	dec := json.NewDecoder(io.LimitReader(r, 16<<20))
	dec.DisallowUnknownFields()
	var bp Blueprint
	if err := dec.Decode(&bp); err != nil {
		return nil, wrap("load blueprint", "", "", &ValidationError{Kind: "blueprint", Fields: []FieldError{{Field: jsonErrorField(err), Code: "malformed", Param: "JSON", Value: err.Error()}}})
	}
	if dec.More() {
		return nil, wrap("load blueprint", "", "", &ValidationError{Kind: "blueprint", Fields: []FieldError{{Field: "", Code: "malformed", Param: "JSON", Value: "trailing data after the document"}}})
	}
	if err := bp.normalizeAndCheck(); err != nil {
		return nil, wrap("load blueprint", "", "", err)
	}
	return &bp, nil
}

func jsonErrorField(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return ute.Field
	}
	return ""
}

func (bp *Blueprint) normalizeAndCheck() error {
	bp.Name, bp.NameEN = normText(bp.Name), normText(bp.NameEN)
	bp.Region, bp.Exchange = normText(bp.Region), normText(bp.Exchange)
	for i := range bp.Disciplines {
		bp.Disciplines[i].Code = normCode(bp.Disciplines[i].Code)
	}
	for i := range bp.IndustryCodes {
		bp.IndustryCodes[i].Code = normCode(bp.IndustryCodes[i].Code)
	}
	tmp := New(nil, bp.options(nil))
	c := &Check{}
	tmp.structErrors(c, bp)
	seen := map[string]bool{}
	for i := range bp.Brokers {
		b := bp.Brokers[i].Normalized()
		bp.Brokers[i] = b
		f := fmt.Sprintf("brokers[%d].", i)
		if b.ID == "" {
			c.Add(f+"id", "required", "", "")
		} else if seen[b.ID] {
			c.Add(f+"id", "unique", "", b.ID)
		}
		seen[b.ID] = true
		sub := &Check{prefix: f, sys: tmp}
		b.Validate(sub)
		c.errs = append(c.errs, sub.errs...)
	}
	return c.Err("blueprint")
}

// options returns System options carrying the blueprint's code lists on top
// of base.
func (bp *Blueprint) options(base *Options) *Options {
	var o Options
	if base != nil {
		o = *base
	}
	if len(bp.Disciplines) > 0 && o.Disciplines == nil {
		for _, c := range bp.Disciplines {
			o.Disciplines = append(o.Disciplines, c.Code)
		}
	}
	if len(bp.IndustryCodes) > 0 && o.IndustryCodes == nil {
		for _, c := range bp.IndustryCodes {
			o.IndustryCodes = append(o.IndustryCodes, c.Code)
		}
	}
	return &o
}

// Build returns a System over store, configured by the blueprint, with the
// blueprint's industry brokers created (those already stored are kept as
// they are, so Build on a persistent store is idempotent). p must be
// allowed to create brokers (a platform admin).
func Build(ctx context.Context, store Store, bp *Blueprint, p Principal, opts *Options) (*System, error) {
	if bp == nil {
		return nil, wrap("build", "", "", &ValidationError{Kind: "blueprint", Fields: []FieldError{{Field: "blueprint", Code: "required"}}})
	}
	s := New(store, bp.options(opts))
	for _, b := range bp.Brokers {
		if _, err := s.Brokers.Get(ctx, p, b.ID); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if _, err := s.Brokers.Create(ctx, p, b); err != nil && !errors.Is(err, ErrExists) {
			return nil, err
		}
	}
	return s, nil
}
