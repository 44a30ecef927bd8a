package broker_test

import (
	"reflect"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/orgtag"
	"github.com/kexie/techbroker/internal/tagplan"
	"github.com/kexie/techbroker/internal/tagplan/tagplantest"
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
