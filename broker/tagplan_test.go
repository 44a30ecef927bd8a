package broker_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/jsonenc"
	"github.com/kexie/techbroker/internal/orgtag"
	"github.com/kexie/techbroker/internal/tagplan"
	"github.com/kexie/techbroker/internal/tagplan/tagplantest"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// coreRecords are the core's record types (and the blueprint, which is
// validated the same way).
var coreRecords = []any{
	broker.Achievement{}, broker.Demand{}, broker.Expert{}, broker.IndustryBroker{}, broker.Organization{},
	broker.Society{}, broker.ServicePackage{}, broker.Staff{}, broker.Case{}, broker.Feedback{}, broker.Qualification{},
	broker.Blueprint{},
}

// The compiled tag plans of the core's types pass a record exactly when
// the validator does, so that skipping the validator for the records a plan
// vouches for changes nothing.
func TestTagPlansAgreeWithValidator(t *testing.T) { tagplantest.Agree(t, coreRecords...) }

// The kinds imported in bulk must have a plan, or every imported row pays
// for the validator's reflection.
func TestTagPlansCoverImportKinds(t *testing.T) {
	for _, k := range []any{broker.Achievement{}, broker.Demand{}} {
		if tagplan.Compile(reflect.TypeOf(k)) == nil {
			t.Errorf("%T has no tag plan: a tag outside required, omitempty, min, max, oneof, printascii and dive was added; extend internal/tagplan", k)
		}
	}
}

// Every field of a core record that names an organization carries the org
// tag, so that merges and audits see it (issue 21, defect 6).
func TestOrgTags(t *testing.T) {
	for _, k := range coreRecords {
		for _, problem := range orgtag.Lint(reflect.TypeOf(k)) {
			t.Error(problem)
		}
	}
}

// The record layer decodes stored records with jsonenc.Unmarshal: on
// random records of every core type, encoded by encoding/json, it decodes
// the same values as encoding/json, and on damaged bodies both fail or
// neither does.
func TestFastDecodeAgrees(t *testing.T) {
	same := cmp.Options{
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
		cmpopts.EquateEmpty(),
	}
	for _, k := range coreRecords {
		typ := reflect.TypeOf(k)
		t.Run(typ.Name(), func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				x := tagplantest.Draw(rt, typ)
				body, err := json.Marshal(x)
				if err != nil {
					rt.Skip(err)
				}

				if cut := rapid.IntRange(-1, len(body)).Draw(rt, "cut"); cut >= 0 {
					body = body[:cut] // a damaged body
				}
				want, got := reflect.New(typ), reflect.New(typ)
				werr := json.Unmarshal(body, want.Interface())
				gerr := jsonenc.Unmarshal(body, got.Interface())
				if (werr == nil) != (gerr == nil) {
					rt.Fatalf("encoding/json says %v, jsonenc says %v on %s", werr, gerr, body)
				}
				if werr == nil {
					if d := cmp.Diff(want.Interface(), got.Interface(), same); d != "" {
						rt.Fatalf("decoded values differ (-encoding/json +jsonenc):\n%s", d)
					}
				}
			})
		})
	}
}
