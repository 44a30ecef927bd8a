package capital_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

// Normalization is idempotent and never panics, whatever the text: the
// System runs it before every write and expects the stored form back.
func FuzzNormalized(f *testing.F) {
	f.Add("蓝海创投", " Pre-A轮 ", "WANG@Example.COM", "上海市；杨浦区", " 样机\r\n第二行 ", "DONE")
	f.Add("", "", "", "", "", "")
	f.Add("\u00a0Ａ轮", "天使", "ｘ@ｙ.ｃｏｍ", "上海市", "\n\n", "Pending")
	f.Fuzz(func(t *testing.T, name, stage, email, region, note, status string) {
		v := capital.Investor{Name: name, OrgID: name, Stages: []capital.InvestStage{capital.InvestStage(stage), capital.InvestStage(name)},
			Keywords: []string{name, note}, Regions: []string{region}, Thesis: note, Contact: broker.Contact{Email: email, WeChat: name}}
		once := v.Normalized()
		if twice := once.Normalized(); !reflect.DeepEqual(once, twice) {
			t.Errorf("investor: normalized twice differs:\n%+v\n%+v", once, twice)
		}
		at := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
		n := capital.Incubation{Case: name, Incubator: name, Owners: []string{name, region}, Reason: note, DealDate: at,
			Status:     capital.IncubationStatus(status),
			Milestones: []capital.Milestone{{Name: name, Due: at, Status: capital.MilestoneStatus(status), Note: note}},
			Funding:    []capital.FundingRound{{Stage: capital.InvestStage(stage), Date: at, Investors: []string{name, email}, Note: note}}}
		onceN := n.Normalized()
		if twice := onceN.Normalized(); !reflect.DeepEqual(onceN, twice) {
			t.Errorf("incubation: normalized twice differs:\n%+v\n%+v", onceN, twice)
		}
		i := capital.InvestmentIntent{Case: name, Investor: name, Stage: capital.InvestStage(stage), Note: note, Owners: []string{name}}
		onceI := i.Normalized()
		if twice := onceI.Normalized(); !reflect.DeepEqual(onceI, twice) {
			t.Errorf("intent: normalized twice differs:\n%+v\n%+v", onceI, twice)
		}
	})
}
