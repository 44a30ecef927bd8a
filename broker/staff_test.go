package broker_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
)

func TestStaffRoster(t *testing.T) {
	sys, clk := evSystem(t)
	st, err := sys.AddStaff(ctx, evStaff, broker.Staff{Meta: broker.Meta{Broker: evBroker}, Person: "p-wang", Name: "王经理", Grade: "中级",
		Certifications: []broker.Certification{{Name: "专利代理师", Issued: evT0.AddDate(-1, 0, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Grade != broker.GradeIntermediate || st.Grade.Chinese() != "中级技术经理人" {
		t.Errorf("grade: got %q", st.Grade)
	}
	b, _ := sys.Brokers.Get(ctx, admin, evBroker)
	if !b.HasStaff("p-wang") {
		t.Errorf("broker staff list: got %v, want p-wang on it", b.Staff)
	}
	if _, err := sys.AddStaff(ctx, evStaff, broker.Staff{Meta: broker.Meta{Broker: evBroker}, Person: "p-wang", Name: "王经理"}); !errors.Is(err, broker.ErrExists) {
		t.Errorf("same person twice: got %v, want ErrExists", err)
	}
	if _, err := sys.AddStaff(ctx, broker.BrokerStaff("x", "other"), broker.Staff{Meta: broker.Meta{Broker: evBroker}, Person: "p-li", Name: "李"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's staff: got %v, want ErrForbidden", err)
	}
	_, err = sys.AddStaff(ctx, admin, broker.Staff{Meta: broker.Meta{Broker: "nope"}, Person: "p-li", Name: "李", Grade: "expert"})
	if got := fieldCodes(err); !slices.Equal(got, []string{"grade:oneof"}) {
		t.Errorf("bad grade: got %v", got)
	}
	_, err = sys.AddStaff(ctx, admin, broker.Staff{Meta: broker.Meta{Broker: "nope"}, Person: "p-li", Name: "李"})
	if got := fieldCodes(err); !slices.Equal(got, []string{"broker:ref"}) {
		t.Errorf("unknown broker: got %v", got)
	}
	li, err := sys.AddStaff(ctx, evStaff, broker.Staff{Meta: broker.Meta{Broker: evBroker}, Person: "p-li", Name: "李助理"})
	if err != nil {
		t.Fatal(err)
	}

	clk.Set(evT0.Add(time.Hour))

	// Cases: two open, one assigned to each person; one gets withdrawn.
	var cases []broker.Case
	for _, title := range []string{"成果一", "成果二", "成果三"} {
		a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		c, err := sys.OpenCase(ctx, evStaff, broker.NewCase{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: a.ID}, Broker: evBroker})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	for _, c := range cases[:2] {
		if _, err := sys.AssignCase(ctx, evStaff, st.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sys.AssignCase(ctx, evStaff, li.ID, cases[2].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.MoveCase(ctx, evStaff, cases[1].ID, broker.CaseMove{To: broker.StageWithdrawn, Version: cases[1].Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.AssignCase(ctx, evStaff, li.ID, cases[1].ID); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("assign a withdrawn case: got %v, want ErrConflict", err)
	}
	if n, err := sys.Caseload(ctx, evStaff, st.ID); err != nil || n != 1 {
		t.Errorf("caseload: got %d, %v; want 1", n, err)
	}

	clk.Set(evT0.AddDate(0, 1, 0))
	f, err := sys.StaffFigures(ctx, evStaff, evBroker, broker.ReportPeriod{From: evT0, To: evT0.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if f.Staff != 2 || f.ByGrade[broker.GradeIntermediate] != 1 || f.ByGrade[""] != 1 || f.Certified != 1 || f.Trained != 0 ||
		f.TrainedShare != 0 || !f.TrainingHours.IsZero() || f.OpenCases != 2 || f.CasesPerPerson != 1 || f.MaxCaseload != 1 {
		t.Errorf("figures: got %+v", f)
	}
	var stats assessment.BrokerStats
	f.Fill(&stats)
	if stats.Staff != 2 || stats.TechManagers != 1 {
		t.Errorf("filled stats: got staff %d, tech managers %d; want 2, 1", stats.Staff, stats.TechManagers)
	}
	// Leaving the roster: not counted after.
	if _, err := sys.ModifyStaff(ctx, evStaff, li.ID, func(s *broker.Staff) error { s.Left = evT0.AddDate(0, 0, 10); s.Broker = "hijack"; return nil }); err != nil {
		t.Fatal(err)
	}
	f, _ = sys.StaffFigures(ctx, evStaff, evBroker, broker.ReportPeriod{})
	if f.Staff != 1 || f.CasesPerPerson != 2 {
		t.Errorf("after one left: got staff %d, cases per person %v; want 1 and 2", f.Staff, f.CasesPerPerson)
	}
	roster, err := sys.Roster(ctx, broker.ExpertUser("e-1"), evBroker)
	if err != nil || len(roster) != 2 || roster[1].Broker != evBroker {
		t.Errorf("roster: got %d entries, %v (broker may not be changed)", len(roster), err)
	}
	if _, err := sys.StaffFigures(ctx, broker.BrokerStaff("x", "other"), evBroker, broker.ReportPeriod{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("figures for another broker: got %v, want ErrForbidden", err)
	}
}
