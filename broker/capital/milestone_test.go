package capital_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

func TestCheckPlan(t *testing.T) {
	deal := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		deal   time.Time
		ms     []capital.Milestone
		rounds []capital.FundingRound
		want   []string // field:code param value
	}{
		{"good plan", deal, []capital.Milestone{{Name: "样机", Due: deal.AddDate(0, 1, 0)}, {Name: "中试", Due: deal}},
			[]capital.FundingRound{{Amount: dec("2000000"), Date: deal}}, nil},
		{"due before the deal", deal, []capital.Milestone{{Name: "样机", Due: deal.Add(-time.Hour)}}, nil,
			[]string{"milestones[0].due:date_order the deal date 2026-03-12 2026-03-11"}},
		{"no due date", deal, []capital.Milestone{{Name: "样机"}}, nil, []string{"milestones[0].due:required  "}},
		{"done without a date", deal, []capital.Milestone{{Name: "样机", Due: deal, Status: capital.MilestoneDone}}, nil,
			[]string{"milestones[0].done:required  "}},
		{"named twice", deal, []capital.Milestone{{Name: "样机", Due: deal}, {Name: "样机", Due: deal}}, nil,
			[]string{"milestones[1].name:unique  样机"}},
		{"round before the deal", deal, nil, []capital.FundingRound{{Amount: dec("1"), Date: deal.AddDate(0, 0, -1)}},
			[]string{"funding[0].date:date_order the deal date 2026-03-12 2026-03-11"}},
		{"negative round", deal, nil, []capital.FundingRound{{Amount: dec("-1")}}, []string{"funding[0].amount:negative  -1"}},
		{"unknown deal date checks no order", time.Time{}, []capital.Milestone{{Name: "样机", Due: deal}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &broker.Check{}
			capital.CheckPlan(c, tt.deal, tt.ms, tt.rounds)
			var got []string
			if err := c.Err(capital.KindIncubation); err != nil {
				for _, f := range err.(*broker.ValidationError).Fields {
					got = append(got, f.Field+":"+f.Code+" "+f.Param+" "+f.Value)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOverdueAndRaised(t *testing.T) {
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	ms := []capital.Milestone{
		{Name: "样机", Due: due, Status: capital.MilestonePending},
		{Name: "中试", Due: due.AddDate(0, 2, 0), Status: capital.MilestonePending},
		{Name: "已完成", Due: due, Status: capital.MilestoneDone, Done: due},
		{Name: "取消", Due: due, Status: capital.MilestoneCancelled},
	}
	at := due.AddDate(0, 0, 15).Add(23 * time.Hour)
	got := capital.Overdue(ms, at)
	if len(got) != 1 || got[0].Name != "样机" {
		t.Errorf("overdue: got %+v, want 样机 only", got)
	}
	if d := capital.DaysLate(due, at); d != 15 {
		t.Errorf("days late: got %d, want 15 (whole days)", d)
	}
	if d := capital.DaysLate(due, due); d != 0 {
		t.Errorf("days late on the due date: got %d, want 0", d)
	}
	if d := capital.DaysLate(due, due.AddDate(0, 0, -3)); d != 0 {
		t.Errorf("days late before the due date: got %d, want 0", d)
	}
	if got := capital.Overdue(ms, due); len(got) != 0 {
		t.Errorf("overdue at the due instant: got %+v, want none", got)
	}
	r := capital.Raised([]capital.FundingRound{{Amount: dec("2000000")}, {Amount: dec("10000000.50")}})
	if !r.Equal(dec("12000000.50")) {
		t.Errorf("raised: got %s", r)
	}
	if !capital.Raised(nil).IsZero() {
		t.Errorf("raised of nothing: got %s", capital.Raised(nil))
	}
}
