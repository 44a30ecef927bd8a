package activity_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/internal/orgtag"
)

func TestActivityMeetingsAndLeads(t *testing.T) {
	p := newPlatform(t)
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	ach := p.achievement(t, "海水养殖尾水处理技术")
	act, err := p.acts.Activities.Create(ctx, p.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Matchmaking,
		Title: "海洋技术成果对接会", Start: start, End: start.Add(2 * time.Hour), Capacity: 5, SlotMinutes: 30, Tables: 2,
		Featured: []broker.RecordRef{ref(broker.KindAchievement, ach.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if act.Slots() != 4 {
		t.Fatalf("slots: got %d, want 4", act.Slots())
	}
	people := []broker.Principal{}
	for i := range 5 {
		q := broker.EnterpriseUser(fmt.Sprintf("u%d", i), fmt.Sprintf("企业%d", i))
		if _, err := p.acts.Register(ctx, q, act.ID, activity.Registration{}); err != nil {
			t.Fatal(err)
		}
		people = append(people, q)
	}
	if _, err := p.acts.Register(ctx, people[0], act.ID, activity.Registration{}); !errors.Is(err, broker.ErrExists) {
		t.Errorf("second registration: got %v, want ErrExists", err)
	}
	late := broker.EnterpriseUser("u9", "企业9")
	if _, err := p.acts.Register(ctx, late, act.ID, activity.Registration{}); !errors.Is(err, activity.ErrFull) || !errors.Is(err, broker.ErrConflict) {
		t.Errorf("sixth registration: got %v, want ErrFull", err)
	}
	if taken, capacity, err := p.acts.Seats(ctx, p.anon, act.ID); err != nil || taken != 5 || capacity != 5 {
		t.Errorf("seats: got %d of %d, %v; want 5 of 5", taken, capacity, err)
	}
	if _, err := p.acts.RequestMeeting(ctx, late, act.ID, "u0", ""); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("unregistered requester: got %v, want ErrForbidden", err)
	}
	past, err := p.acts.Activities.Create(ctx, p.staff, activity.Activity{Meta: broker.Meta{Broker: marine}, Kind: activity.Training,
		Title: "已结束的培训", Start: p.clock.now().Add(-3 * time.Hour), End: p.clock.now().Add(-time.Hour), Capacity: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.acts.Register(ctx, late, past.ID, activity.Registration{}); !errors.Is(err, broker.ErrConflict) || errors.Is(err, activity.ErrFull) {
		t.Errorf("registration after the end: got %v, want ErrConflict (not ErrFull)", err)
	}
	if _, err := p.acts.RequestMeeting(ctx, people[0], act.ID, "u9", ""); !cmp.Equal(fieldCodes(err), []string{"invitee:ref"}) {
		t.Errorf("unregistered invitee: got %v, want invitee:ref", err)
	}
	if _, err := p.acts.RequestMeeting(ctx, people[0], act.ID, "u0", ""); !cmp.Equal(fieldCodes(err), []string{"invitee:invalid"}) {
		t.Errorf("meeting oneself: got %v, want invitee:invalid", err)
	}
	// u0 wants to meet everyone; u1 meets u2; u3 declines u4.
	pairs := [][2]int{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 2}, {1, 3}, {4, 3}}
	var ids []string
	for _, pr := range pairs {
		p.clock.advance(time.Minute)
		m, err := p.acts.RequestMeeting(ctx, people[pr[0]], act.ID, people[pr[1]].ID, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if _, err := p.acts.RequestMeeting(ctx, people[1], act.ID, "u0", ""); !errors.Is(err, broker.ErrExists) {
		t.Errorf("duplicate pair: got %v, want ErrExists", err)
	}
	if _, err := p.acts.RespondMeeting(ctx, people[0], ids[0], true); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("requester accepts own request: got %v, want ErrForbidden", err)
	}
	for i, pr := range pairs {
		if _, err := p.acts.RespondMeeting(ctx, people[pr[1]], ids[i], pr != [2]int{4, 3}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.acts.RespondMeeting(ctx, people[1], ids[0], false); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("answer twice: got %v, want ErrConflict", err)
	}
	if _, err := p.acts.ScheduleMeetings(ctx, people[0], act.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("participant schedules: got %v, want ErrForbidden", err)
	}
	if _, err := p.acts.ScheduleMeetings(ctx, p.staffPeds, act.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's staff schedules: got %v, want ErrForbidden", err)
	}
	sched, err := p.acts.ScheduleMeetings(ctx, p.staff, act.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Greedy in request order, at most 2 meetings per slot: u0's four
	// meetings fill slots 1–4 at table 1; u1–u2 finds u1 busy in slot 1
	// and u2 busy in slot 2, so takes slot 3 table 2; u1–u3 takes slot 2
	// table 2. u4–u3 was declined.
	got := map[string][2]int{}
	for _, m := range sched.Meetings {
		got[m.Requester+"-"+m.Invitee] = [2]int{m.Slot, m.Table}
	}
	want := map[string][2]int{"u0-u1": {1, 1}, "u0-u2": {2, 1}, "u0-u3": {3, 1}, "u0-u4": {4, 1}, "u1-u2": {3, 2}, "u1-u3": {2, 2}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("schedule (-want +got):\n%s", d)
	}
	busy := map[string]bool{}
	perSlot := map[int]int{}
	for _, m := range sched.Meetings {
		for _, who := range []string{m.Requester, m.Invitee} {
			k := fmt.Sprint(who, m.Slot)
			if busy[k] {
				t.Errorf("%s double-booked in slot %d", who, m.Slot)
			}
			busy[k] = true
		}
		if perSlot[m.Slot]++; perSlot[m.Slot] > 2 {
			t.Errorf("slot %d has more than 2 meetings", m.Slot)
		}
		if !m.Start.Equal(start.Add(time.Duration(m.Slot-1) * 30 * time.Minute)) {
			t.Errorf("meeting %s: start %v for slot %d", m.ID, m.Start, m.Slot)
		}
	}
	again, err := p.acts.ScheduleMeetings(ctx, p.staff, act.ID)
	if err != nil || len(again.Placed) != 0 || len(again.Meetings) != 6 {
		t.Errorf("rescheduling: %v, placed %v, %d meetings; want nothing new", err, again.Placed, len(again.Meetings))
	}
	agenda, err := p.acts.Agenda(ctx, people[0], act.ID, "u0")
	if err != nil || len(agenda) != 4 || agenda[0].Slot != 1 || agenda[3].Slot != 4 {
		t.Errorf("agenda of u0: %v %+v", err, agenda)
	}
	if agenda, err := p.acts.Agenda(ctx, people[3], act.ID, "u3"); err != nil || len(agenda) != 2 {
		t.Errorf("agenda of u3 (invitee only): got %d meetings, %v; want 2", len(agenda), err)
	}
	if _, err := p.acts.Agenda(ctx, people[1], act.ID, "u0"); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("someone else's agenda: got %v, want ErrForbidden", err)
	}
	lead, err := p.acts.RecordLead(ctx, p.staff, act.ID, activity.Lead{Kind: activity.LeadCase, Subject: ref(broker.KindAchievement, ach.ID), Party: "企业1", Meeting: ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.sys.GetCase(ctx, p.staff, lead.Case)
	if err != nil || c.Source.Activity != act.ID || c.Source.Lead != lead.ID || c.Stage != broker.StageCollected {
		t.Fatalf("case from lead: %v %+v", err, c)
	}
	if _, err := p.acts.RecordLead(ctx, p.staff, act.ID, activity.Lead{Kind: activity.LeadInterest, Subject: ref(broker.KindAchievement, ach.ID), Party: "企业2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.acts.RecordLead(ctx, p.staff, act.ID, activity.Lead{Kind: activity.LeadCase, Subject: ref(broker.KindAchievement, ach.ID)}); !errors.Is(err, broker.ErrExists) {
		t.Errorf("second case lead for the same subject: got %v, want ErrExists", err)
	}
	if _, err := p.acts.RecordLead(ctx, p.staff, act.ID, activity.Lead{Kind: activity.LeadInterest, Subject: ref(broker.KindDemand, "dem-404")}); !cmp.Equal(fieldCodes(err), []string{"subject.id:ref"}) {
		t.Errorf("interest in a missing demand: got %v, want subject.id:ref", err)
	}
	if _, err := p.acts.RecordLead(ctx, people[0], act.ID, activity.Lead{Kind: activity.LeadInterest, Subject: ref(broker.KindAchievement, ach.ID)}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("participant records a lead: got %v, want ErrForbidden", err)
	}
	if _, err := p.sys.MoveCase(ctx, p.staff, c.ID, broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: verdict()}); err != nil {
		t.Fatal(err)
	}
	cv, err := p.acts.Conversion(ctx, p.staff, act.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantCV := activity.Conversion{Activity: act.ID, Registrations: 5, MeetingsRequested: 7, MeetingsAccepted: 6, MeetingsScheduled: 6,
		Leads: 2, Interests: 1, CasesOpened: 1, CasesAdvanced: 1}
	if d := cmp.Diff(wantCV, cv); d != "" {
		t.Errorf("conversion (-want +got):\n%s", d)
	}
	if _, err := p.acts.Conversion(ctx, p.staffPeds, act.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("other broker's conversion: got %v, want ErrForbidden", err)
	}
}

// TestRegisterAccess checks who may register whom, through the policy.
func TestRegisterAccess(t *testing.T) {
	p := newPlatform(t)
	a := p.activity(t, activity.Roadshow, "路演", 10)
	if _, err := p.acts.Register(ctx, p.anon, a.ID, activity.Registration{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("anonymous: got %v, want ErrForbidden", err)
	}
	if _, err := p.acts.Register(ctx, p.ent, a.ID, activity.Registration{Participant: "someone-else"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("registering someone else as a participant: got %v, want ErrForbidden", err)
	}
	if _, err := p.acts.Register(ctx, p.staffPeds, a.ID, activity.Registration{Participant: "guest"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another broker's staff registering a guest: got %v, want ErrForbidden", err)
	}
	r, err := p.acts.Register(ctx, p.ent, a.ID, activity.Registration{Name: " 王 经理 ", Role: "seek"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Participant != p.ent.ID || r.Org != p.ent.Org || r.Name != "王 经理" || r.Activity != a.ID || r.Broker != marine ||
		r.Visibility != broker.Confidential || r.Version != 1 {
		t.Errorf("registration: %+v", r)
	}
	guest, err := p.acts.Register(ctx, p.staff, a.ID, activity.Registration{Participant: "guest", Org: "某投资机构", Role: "invest"})
	if err != nil {
		t.Fatal(err)
	}
	// Who reads a registration: its maker, its organization, the
	// organizers; not another enterprise.
	for _, tc := range []struct {
		who  broker.Principal
		id   string
		want error
	}{
		{p.ent, r.ID, nil},
		{broker.EnterpriseUser("colleague", "蓝海水产"), r.ID, nil},
		{p.staff, r.ID, nil},
		{broker.EnterpriseUser("other", "别的企业"), r.ID, broker.ErrForbidden},
		{p.staffPeds, r.ID, broker.ErrForbidden},
		{p.ent, guest.ID, broker.ErrForbidden},
	} {
		if _, err := p.acts.Registrations.Get(ctx, tc.who, tc.id); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s reads %s: got %v, want %v", tc.who.ID, tc.id, err, tc.want)
		}
	}
	evs, err := p.sys.Events(ctx, p.staff, activity.KindActivity, a.ID)
	if err != nil || len(evs) != 3 || evs[1].Type != "seat_taken" || evs[2].Actor != p.staff.ID {
		t.Errorf("activity events: %v %+v", err, evs)
	}
	// A confidential activity: only its desk (and admins) see it and take part.
	start := p.clock.now().Add(time.Hour)
	closed, err := p.acts.Activities.Create(ctx, p.staff, activity.Activity{Meta: broker.Meta{Broker: marine, Visibility: broker.Confidential},
		Kind: activity.InvestmentSalon, Title: "闭门投资沙龙", Start: start, End: start.Add(time.Hour), Capacity: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.acts.Register(ctx, p.ent, closed.ID, activity.Registration{}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("enterprise registers for a confidential activity: got %v, want ErrForbidden", err)
	}
	if _, err := p.acts.Register(ctx, p.staff, closed.ID, activity.Registration{}); err != nil {
		t.Errorf("desk staff registers for its confidential activity: %v", err)
	}
}

// TestOperationOwnedFields checks that plain writes, even a platform
// admin's, cannot do what the operations own: take a seat, answer or
// schedule a meeting, open a case from a lead.
func TestOperationOwnedFields(t *testing.T) {
	p := newPlatform(t)
	a := p.activity(t, activity.Matchmaking, "对接会", 10)
	ach := p.achievement(t, "成果")
	for _, id := range []string{"a", "b"} {
		if _, err := p.acts.Register(ctx, broker.EnterpriseUser(id, id+"公司"), a.ID, activity.Registration{}); err != nil {
			t.Fatal(err)
		}
	}
	m, err := p.acts.RequestMeeting(ctx, broker.EnterpriseUser("a", "a公司"), a.ID, "b", "聊聊合作")
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.acts.RecordLead(ctx, p.staff, a.ID, activity.Lead{Kind: activity.LeadInterest, Subject: ref(broker.KindAchievement, ach.ID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		do   func() error
		want []string
	}{
		{"registration without a seat", func() error {
			_, err := p.acts.Registrations.Create(ctx, p.admin, activity.Registration{Activity: a.ID, Participant: "c"})
			return err
		}, []string{"activity:guarded", "participant:guarded"}},
		{"meeting without a request", func() error {
			_, err := p.acts.Meetings.Create(ctx, p.admin, activity.Meeting{Activity: a.ID, Requester: "a", Invitee: "b", Status: activity.MeetingRequested})
			return err
		}, []string{"activity:guarded", "invitee:guarded", "requester:guarded", "status:guarded"}},
		{"accepting by a plain write", func() error {
			_, err := p.acts.Meetings.Modify(ctx, p.admin, m.ID, func(v *activity.Meeting) error { v.Status = activity.MeetingAccepted; return nil })
			return err
		}, []string{"status:guarded"}},
		{"a lead turned into a case lead", func() error {
			_, err := p.acts.Leads.Modify(ctx, p.admin, l.ID, func(v *activity.Lead) error { v.Kind = activity.LeadCase; return nil })
			return err
		}, []string{"kind:guarded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fieldCodes(tc.do()); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// What a plain write may change, it changes.
	l, err = p.acts.Leads.Modify(ctx, p.admin, l.ID, func(v *activity.Lead) error { v.Note = "补充说明"; return nil })
	if err != nil || l.Note != "补充说明" {
		t.Errorf("lead note: %v %+v", err, l)
	}
}

// TestOrgTags checks that every field of the package's record types that
// names an organization carries the org tag (merges and audits find it).
func TestOrgTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[activity.Activity](), reflect.TypeFor[activity.Registration](),
		reflect.TypeFor[activity.Meeting](), reflect.TypeFor[activity.Lead](),
	} {
		if findings := orgtag.Lint(typ); len(findings) != 0 {
			t.Errorf("%s: %v", typ, findings)
		}
	}
}

// TestMergeRewritesActivityRecords checks that New makes the package's
// kinds known to organization merges: a registration's Org and a lead's
// Party naming the removed organization name the kept one after the merge.
func TestMergeRewritesActivityRecords(t *testing.T) {
	p := newPlatform(t)
	org := func(name string) broker.Organization {
		o, err := p.sys.Organizations.Create(ctx, p.admin, broker.Organization{Name: name, Roles: []broker.OrgRole{broker.OrgEnterprise}})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	keep, dup := org("蓝海水产有限公司"), org("蓝海水产")
	a := p.activity(t, activity.Roadshow, "路演", 10)
	r, err := p.acts.Register(ctx, broker.EnterpriseUser("u1", dup.ID), a.ID, activity.Registration{})
	if err != nil {
		t.Fatal(err)
	}
	ach := p.achievement(t, "成果")
	l, err := p.acts.RecordLead(ctx, p.staff, a.ID, activity.Lead{Kind: activity.LeadInterest, Subject: ref(broker.KindAchievement, ach.ID), Party: dup.ID})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.sys.MergeOrganizations(ctx, p.admin, keep.ID, dup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rewritten[activity.KindRegistration] != 1 || rep.Rewritten[activity.KindLead] != 1 {
		t.Errorf("rewritten: got %v, want one registration and one lead", rep.Rewritten)
	}
	r, _ = p.acts.Registrations.Get(ctx, p.admin, r.ID)
	l, _ = p.acts.Leads.Get(ctx, p.admin, l.ID)
	if r.Org != keep.ID || l.Party != keep.ID {
		t.Errorf("after the merge: registration org %q, lead party %q; want %q", r.Org, l.Party, keep.ID)
	}
	if refs, err := p.sys.DanglingOrgReferences(ctx, p.admin); err != nil || len(refs) != 0 {
		t.Errorf("dangling references: %v %v", refs, err)
	}
}

// TestMeetingAgainAfterDecline checks that a declined pair may meet after
// all, from either side, and that the pair still has one standing meeting
// at most.
func TestMeetingAgainAfterDecline(t *testing.T) {
	p := newPlatform(t)
	a := p.activity(t, activity.Matchmaking, "对接会", 10)
	ann, bo := broker.EnterpriseUser("ann", "甲公司"), broker.EnterpriseUser("bo", "乙公司")
	for _, q := range []broker.Principal{ann, bo} {
		if _, err := p.acts.Register(ctx, q, a.ID, activity.Registration{}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := p.acts.RequestMeeting(ctx, ann, a.ID, "bo", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.acts.RespondMeeting(ctx, bo, first.ID, false); err != nil {
		t.Fatal(err)
	}
	second, err := p.acts.RequestMeeting(ctx, bo, a.ID, "ann", "改天再谈")
	if err != nil {
		t.Fatalf("after a decline: %v", err)
	}
	if second.ID == first.ID || second.Requester != "bo" || second.Status != activity.MeetingRequested {
		t.Errorf("second meeting: %+v (first %s)", second, first.ID)
	}
	if _, err := p.acts.RequestMeeting(ctx, ann, a.ID, "bo", ""); !errors.Is(err, broker.ErrExists) {
		t.Errorf("third request while the second stands: got %v, want ErrExists", err)
	}
}
