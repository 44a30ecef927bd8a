// Package activity is the activity platform (科创中国活动平台) on the core
// of package broker: activities (活动) — roadshows (路演), seminars (研讨会),
// investment salons (投资沙龙), trainings (培训) and matchmaking meetings
// (对接会) — with their registrations (报名), 1:1 meetings (对接洽谈),
// leads (线索), the training record of technology managers, and a broker's
// platform statistics (平台统计) for the assessment.
//
// # Where to find what
//
//	活动 activity            Activity, Kind, Platform.Activities (activity.go)
//	路演 roadshow            Roadshow, one Kind of Activity (activity.go)
//	报名 registration        Registration, Platform.Register, Platform.Seats (registration.go)
//	容量 capacity, 座位 seats  SeatsLeft, CheckCapacity: the capacity rule (capacity.go)
//	对接 meeting             Meeting, RequestMeeting, RespondMeeting, Agenda (meeting.go)
//	排期 scheduling          ScheduleMeetings; the slot rule (schedule.go)
//	线索 lead                Lead, Platform.RecordLead (RecordLeadTx inside a transaction), Platform.Conversion (lead.go)
//	培训 training            Training, Platform.RecordTraining (training.go)
//	平台统计 statistics       PlatformStats, Platform.PlatformStats (stats.go)
//
// # Use
//
// A Platform is made over a broker.System and holds the Libraries of the
// package's record types:
//
//	acts := activity.New(sys)
//	a, err := acts.Activities.Create(ctx, staff, activity.Activity{Meta: broker.Meta{Broker: "marine-tech"},
//		Kind: activity.Roadshow, Title: "海洋技术成果路演", Start: start, End: end, Capacity: 50})
//	reg, err := acts.Register(ctx, participant, a.ID, activity.Registration{Role: "seek"})
//
// Every write goes through the System's transaction (broker.System.Update)
// and the core's record operations, so records are normalized, validated,
// checked against the access policy (broker.Rules) and audited the same
// way as the core's own.
//
// # Seats and capacity
//
// An activity counts its own seats: Activity.SeatsTaken is kept by Register
// in the same transaction as the registration, and a plain write may not
// change it. The capacity rule (CheckCapacity) is part of the activity's
// validation, so no write of any kind — Activities.Update, Activities.Modify,
// broker.Replace inside a transaction, with or without broker.Via — stores
// a capacity below the seats taken: it is refused with a
// *broker.ValidationError naming the field, the capacity asked and the
// seats taken ("capacity must not be below seats_taken 3 (got 1)"). Register
// never over-books, even under concurrent registrations; when no seat is
// left it returns an error matching both ErrFull and broker.ErrConflict.
// Registering changes the activity's version: change an activity with
// Activities.Modify, or expect broker.ErrStale when someone registered since
// it was read.
//
// # Meetings
//
// Two registered participants meet 1:1 (b2match style): one requests
// (RequestMeeting), the other accepts or declines (RespondMeeting), and the
// organizers place the accepted meetings into slots of Activity.SlotMinutes
// with ScheduleMeetings, at most Activity.Tables at a time, nobody
// double-booked; meetings placed earlier keep their slots. Agenda is a
// participant's schedule.
//
// # Leads and conversion
//
// RecordLead records an activity's outcome: an interest (意向) in a
// featured achievement or demand, or a case opened for it at a broker in
// the same transaction (broker.Tx.OpenCase, with the case's Source naming
// the activity and the lead). Conversion is an activity's funnel:
// registrations → meetings → leads → cases.
//
// # Access
//
// The organizers of an activity are those the access policy lets operate it
// (broker.ActOperate): platform admins and the staff of its industry
// broker. Signed-in principals who may see an activity take part in it
// (broker.ActTakePart): register themselves and request meetings. The rules
// are rows of broker.Rules; this package asks broker.Can and never decides
// access by role itself.
package activity
