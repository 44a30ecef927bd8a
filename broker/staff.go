package broker

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker/driver"
)

// Grade is a technology manager's grade (技术经理人等级) as T/CASTEM
// 1007-2022 grades them: junior, intermediate, senior.
type Grade string

// Grades, lowest first.
const (
	GradeJunior       Grade = "junior"       // 初级技术经理人
	GradeIntermediate Grade = "intermediate" // 中级技术经理人
	GradeSenior       Grade = "senior"       // 高级技术经理人
)

// Grades returns the grades, lowest first.
func Grades() []Grade { return []Grade{GradeJunior, GradeIntermediate, GradeSenior} }

// Chinese returns the grade's Chinese name.
func (g Grade) Chinese() string {
	switch g {
	case GradeJunior:
		return "初级技术经理人"
	case GradeIntermediate:
		return "中级技术经理人"
	case GradeSenior:
		return "高级技术经理人"
	}
	return string(g)
}

// Staff is a technology manager (技术经理人) on one industry broker's
// roster: their grade, certifications, training attended on the activity
// platform and the cases assigned to them. Person is their principal ID,
// the same as in IndustryBroker.Staff, which AddStaff keeps in step.
type Staff struct {
	Meta
	Person string `json:"person" validate:"required,max=64"`
	Name   string `json:"name" validate:"required,max=64"`
	// Grade is empty for staff not (yet) graded.
	Grade            Grade     `json:"grade,omitempty" validate:"omitempty,oneof=junior intermediate senior"`
	GradeCertificate string    `json:"grade_certificate,omitempty" validate:"max=100"`
	GradeDate        time.Time `json:"grade_date,omitzero"`
	// Certifications are other qualifications, e.g. 专利代理师, 资产评估师.
	Certifications []Certification  `json:"certifications,omitempty" validate:"max=50,dive"`
	Training       []TrainingRecord `json:"training,omitempty" validate:"max=1000,dive"`
	// Cases are the IDs of the cases assigned to the person (open or not);
	// Caseload counts the open ones.
	Cases []string `json:"cases,omitempty" validate:"max=10000,dive,max=64"`
	// Left, if set, is when the person left the roster.
	Left time.Time `json:"left,omitzero"`
}

// Certification is a qualification held by a technology manager.
type Certification struct {
	Name    string    `json:"name" validate:"required,max=100"`
	Issuer  string    `json:"issuer,omitempty" validate:"max=200"`
	Number  string    `json:"number,omitempty" validate:"max=100"`
	Issued  time.Time `json:"issued,omitzero"`
	Expires time.Time `json:"expires,omitzero"`
}

// ValidAt reports whether the certification is in force at t.
func (c Certification) ValidAt(t time.Time) bool {
	return (c.Issued.IsZero() || !t.Before(c.Issued)) && (c.Expires.IsZero() || t.Before(c.Expires))
}

// TrainingRecord is attendance at a training activity of the activity
// platform.
type TrainingRecord struct {
	Activity string          `json:"activity" validate:"required,max=64"`
	Title    string          `json:"title,omitempty" validate:"max=300"`
	Date     time.Time       `json:"date"`
	Hours    decimal.Decimal `json:"hours"`
}

// Active reports whether the person is on the roster at t.
func (st Staff) Active(t time.Time) bool { return st.Left.IsZero() || t.Before(st.Left) }

// Certified reports whether the person holds a grade or a certification in
// force at t.
func (st Staff) Certified(t time.Time) bool {
	if st.Grade != "" {
		return true
	}
	return slices.ContainsFunc(st.Certifications, func(c Certification) bool { return c.ValidAt(t) })
}

// TrainedIn reports whether the person attended a training in the period.
func (st Staff) TrainedIn(r ReportPeriod) bool {
	return slices.ContainsFunc(st.Training, func(t TrainingRecord) bool { return r.Contains(t.Date) })
}

func staffKey(broker, person string) string { return "staff:" + broker + "/" + person }

func (Staff) kind() Kind                   { return KindStaff }
func (st Staff) getMeta() Meta             { return st.Meta }
func (st Staff) withMeta(m Meta) Staff     { st.Meta = m; return st }
func (st Staff) stage() string             { return string(st.Grade) }
func (st Staff) dedupKey() string          { return staffKey(st.Broker, st.Person) }
func (st Staff) ownerOrgs() []string       { return nil }
func (st Staff) redactFor(Principal) Staff { return st }
func (Staff) columns() map[string]setter[Staff] {
	return withColumns(metaColumns(func(st *Staff) *Meta { return &st.Meta }), map[string]setter[Staff]{
		"person":            func(st *Staff, s string, c *checker) { st.Person = s },
		"name":              func(st *Staff, s string, c *checker) { st.Name = s },
		"grade":             func(st *Staff, s string, c *checker) { st.Grade = Grade(enumCode(s, gradeNames)) },
		"grade_certificate": func(st *Staff, s string, c *checker) { st.GradeCertificate = s },
	})
}

var gradeNames = map[string]string{"初级": "junior", "初级技术经理人": "junior", "中级": "intermediate",
	"中级技术经理人": "intermediate", "高级": "senior", "高级技术经理人": "senior"}

func (st Staff) normalized() Staff {
	vis := st.Visibility
	st.Meta.normalize()
	if vis == "" {
		st.Visibility = Members
	}
	st.Person, st.Name = normText(st.Person), normText(st.Name)
	st.Grade = Grade(enumCode(string(st.Grade), gradeNames))
	st.GradeCertificate = normText(st.GradeCertificate)
	st.GradeDate, st.Left = utcMicro(st.GradeDate), utcMicro(st.Left)
	if st.Certifications != nil {
		cs := make([]Certification, len(st.Certifications))
		for i, c := range st.Certifications {
			cs[i] = Certification{Name: normText(c.Name), Issuer: normText(c.Issuer), Number: normCode(c.Number),
				Issued: utcMicro(c.Issued), Expires: utcMicro(c.Expires)}
		}
		st.Certifications = cs
	}
	if st.Training != nil {
		ts := make([]TrainingRecord, len(st.Training))
		for i, t := range st.Training {
			ts[i] = TrainingRecord{Activity: normText(t.Activity), Title: normText(t.Title), Date: utcMicro(t.Date), Hours: t.Hours}
		}
		st.Training = ts
	}
	st.Cases = normList(st.Cases)
	return st
}

func (st Staff) check(c *checker, s *System) {
	if st.Broker == "" {
		c.add("broker", "required", "", "")
	}
	for i, x := range st.Certifications {
		if !x.Issued.IsZero() && !x.Expires.IsZero() && x.Expires.Before(x.Issued) {
			c.add("certifications["+itoa(i)+"].expires", "date_order", "issued "+x.Issued.Format(time.DateOnly), x.Expires.Format(time.DateOnly))
		}
	}
	for i, t := range st.Training {
		f := "training[" + itoa(i) + "].hours"
		if !saneDecimal(t.Hours, 2) {
			c.add(f, "malformed", "number", shortDecimal(t.Hours))
		} else if t.Hours.Sign() < 0 {
			c.add(f, "negative", "", t.Hours.String())
		}
	}
}

func (s *System) staffLib() *Library[Staff] { return &Library[Staff]{s: s} }

// canManageRoster: platform admins and the broker's own staff.
func (p Principal) canManageRoster(broker string) bool { return p.canWorkCase(broker) }

// AddStaff puts a person on an industry broker's roster (st.Broker) and
// adds them to the broker's Staff list, in one transaction. Platform admins
// and that broker's staff only; ErrExists if the person is on the roster
// already.
func (s *System) AddStaff(ctx context.Context, p Principal, st Staff) (Staff, error) {
	var out Staff
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		lib := s.staffLib()
		v, err := lib.prepare(st)
		if err != nil {
			return err
		}
		if !p.canManageRoster(v.Broker) {
			return forbidden("add staff", KindStaff, "", "platform admins and the broker's own staff only")
		}
		brec, err := tx.Get(ctx, string(KindBroker), v.Broker)
		if errors.Is(err, ErrNotFound) {
			return &ValidationError{Kind: KindStaff, Fields: []FieldError{{Field: "broker", Code: "ref", Value: v.Broker}}}
		} else if err != nil {
			return err
		}
		if dup, err := tx.List(ctx, driver.Query{Kind: string(KindStaff), Key: v.dedupKey(), Limit: 1}); err != nil {
			return err
		} else if len(dup) > 0 {
			return &Error{Op: "add staff", Kind: KindStaff, ID: dup[0].ID, Code: ErrExists, Err: errors.New("the person is on the roster already")}
		}
		v = lib.stamp(p, v, s.now())
		if err := lib.createTx(ctx, tx, p, v, "created"); err != nil {
			return err
		}
		v.Version = 1
		b, err := s.Brokers.decodeRecord(brec)
		if err != nil {
			return err
		}
		if !b.HasStaff(v.Person) {
			b.Staff = append(slices.Clone(b.Staff), StaffMember{ID: v.Person, Name: v.Name, Role: "技术经理人"})
			b, err = s.Brokers.prepare(b)
			if err != nil {
				return err
			}
			if _, err := s.Brokers.replaceTx(ctx, tx, p, b, "staff_added"); err != nil {
				return err
			}
		}
		out = v
		return nil
	})
	if err != nil {
		return Staff{}, wrap("add staff", KindStaff, st.Person, err)
	}
	return out, nil
}

// ModifyStaff applies fn to a roster entry and stores it, validated, in
// one transaction. fn may change anything but the broker and the person.
// Platform admins and that broker's staff only.
func (s *System) ModifyStaff(ctx context.Context, p Principal, id string, fn func(*Staff) error) (Staff, error) {
	var out Staff
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		lib := s.staffLib()
		v, err := lib.readTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.canManageRoster(v.Broker) {
			return forbidden("modify staff", KindStaff, id, "platform admins and the broker's own staff only")
		}
		person, meta := v.Person, v.Meta
		if err := fn(&v); err != nil {
			return err
		}
		v.Person = person
		v.ID, v.Version, v.Created, v.Broker, v.Provenance = meta.ID, meta.Version, meta.Created, meta.Broker, meta.Provenance
		if v, err = lib.prepare(v); err != nil {
			return err
		}
		out, err = s.writeStaffTx(ctx, tx, p, v, "updated")
		return err
	})
	if err != nil {
		return Staff{}, wrap("modify staff", KindStaff, id, err)
	}
	return out, nil
}

func (s *System) writeStaffTx(ctx context.Context, tx driver.Tx, p Principal, v Staff, typ string) (Staff, error) {
	v.Updated = s.now()
	rec, err := s.staffLib().record(v)
	if err != nil {
		return Staff{}, err
	}
	ver, err := tx.Replace(ctx, rec)
	if err != nil {
		return Staff{}, err
	}
	v.Version = ver
	return v, tx.Append(ctx, driver.Event{Kind: string(KindStaff), RecordID: v.ID, Type: typ, Actor: p.ID, Time: v.Updated})
}

// Roster returns a broker's staff, active or not, ordered by ID. Any
// signed-in principal may read it (staff are Members-visible by default).
func (s *System) Roster(ctx context.Context, p Principal, broker string) ([]Staff, error) {
	var out []Staff
	o := ListOptions{Broker: broker, Limit: 10000}
	for {
		page, err := s.staffLib().List(ctx, p, o)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		o.Cursor = page.Next
	}
}

// AssignCase assigns a case to a roster entry. The case must be open and
// handled by the entry's broker; assigning it twice changes nothing.
func (s *System) AssignCase(ctx context.Context, p Principal, staffID, caseID string) (Staff, error) {
	var out Staff
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		v, err := s.staffLib().readTx(ctx, tx, staffID)
		if err != nil {
			return err
		}
		if !p.canManageRoster(v.Broker) {
			return forbidden("assign case", KindStaff, staffID, "platform admins and the broker's own staff only")
		}
		c, err := s.caseLib().readTx(ctx, tx, caseID)
		if errors.Is(err, ErrNotFound) {
			return &ValidationError{Kind: KindStaff, Fields: []FieldError{{Field: "case", Code: "ref", Value: caseID}}}
		} else if err != nil {
			return err
		}
		if c.Broker != v.Broker {
			return &ValidationError{Kind: KindStaff, Fields: []FieldError{{Field: "case", Code: "invalid", Value: "handled by broker " + c.Broker}}}
		}
		if !c.Stage.Open() {
			return &TransitionError{Kind: KindCase, ID: caseID, From: string(c.Stage), To: string(c.Stage), Reason: "a closed case cannot be assigned"}
		}
		if slices.Contains(v.Cases, caseID) {
			out = v
			return nil
		}
		v.Cases = append(slices.Clone(v.Cases), caseID)
		out, err = s.writeStaffTx(ctx, tx, p, v, "case_assigned")
		return err
	})
	if err != nil {
		return Staff{}, wrap("assign case", KindStaff, staffID, err)
	}
	return out, nil
}

// Caseload returns the number of the roster entry's assigned cases that
// are still open.
func (s *System) Caseload(ctx context.Context, p Principal, staffID string) (int, error) {
	v, err := s.staffLib().Get(ctx, p, staffID)
	if err != nil {
		return 0, err
	}
	open, err := s.openCases(ctx, v.Broker)
	if err != nil {
		return 0, wrap("caseload", KindStaff, staffID, err)
	}
	return countOpen(v.Cases, open), nil
}

func countOpen(cases []string, open map[string]bool) int {
	n := 0
	for _, c := range cases {
		if open[c] {
			n++
		}
	}
	return n
}

// openCases returns the IDs of a broker's open cases.
func (s *System) openCases(ctx context.Context, broker string) (map[string]bool, error) {
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindCase), Broker: broker})
	if err != nil {
		return nil, err
	}
	open := map[string]bool{}
	for _, r := range recs {
		if CaseStage(r.Stage).Open() {
			open[r.ID] = true
		}
	}
	return open, nil
}

// TrainingResult says what RecordTraining did.
type TrainingResult struct {
	// Recorded are the roster entries that got the training record.
	Recorded []string
	// Already are roster entries that had it already.
	Already []string
	// NotStaff are attendees on no broker's roster (nothing recorded).
	NotStaff []string
}

// RecordTraining records attendance at a training activity of the activity
// platform: every attendee (a principal ID, who must be registered for the
// activity) gets a TrainingRecord on each of their roster entries, in one
// transaction. Recording twice changes nothing. Organizers of the activity
// only; the activity must be of kind training.
func (s *System) RecordTraining(ctx context.Context, p Principal, activityID string, attendees []string, hours decimal.Decimal) (TrainingResult, error) {
	var res TrainingResult
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		res = TrainingResult{}
		a, _, err := s.activityTx(ctx, tx, activityID)
		if err != nil {
			return err
		}
		if !p.organizes(a) {
			return forbidden("record training", KindActivity, activityID, "organizers only")
		}
		c := &checker{}
		if a.Kind != Training {
			c.add("activity.kind", "oneof", string(Training), string(a.Kind))
		}
		if !saneDecimal(hours, 2) || hours.Sign() <= 0 {
			c.add("hours", "min", "0.01", shortDecimal(hours))
		}
		for i, who := range attendees {
			if _, err := tx.Get(ctx, string(KindRegistration), registrationID(activityID, normText(who))); errors.Is(err, ErrNotFound) {
				c.add("attendees["+itoa(i)+"]", "ref", "", who)
			} else if err != nil {
				return err
			}
		}
		if err := c.err(KindStaff); err != nil {
			return err
		}
		all, err := tx.List(ctx, driver.Query{Kind: string(KindStaff)})
		if err != nil {
			return err
		}
		byPerson := map[string][]driver.Record{}
		for _, r := range all {
			v, err := s.staffLib().decodeRecord(r)
			if err != nil {
				return err
			}
			byPerson[v.Person] = append(byPerson[v.Person], r)
		}
		rec := TrainingRecord{Activity: activityID, Title: a.Title, Date: a.Start, Hours: hours}
		for _, who := range attendees {
			who = normText(who)
			recs := byPerson[who]
			if len(recs) == 0 {
				res.NotStaff = append(res.NotStaff, who)
				continue
			}
			for _, r := range recs {
				v, err := s.staffLib().decodeRecord(r)
				if err != nil {
					return err
				}
				if slices.ContainsFunc(v.Training, func(t TrainingRecord) bool { return t.Activity == activityID }) {
					res.Already = append(res.Already, v.ID)
					continue
				}
				v.Training = append(slices.Clone(v.Training), rec)
				if _, err := s.writeStaffTx(ctx, tx, p, v, "training"); err != nil {
					return err
				}
				res.Recorded = append(res.Recorded, v.ID)
			}
		}
		return nil
	})
	if err != nil {
		return TrainingResult{}, wrap("record training", KindActivity, activityID, err)
	}
	return res, nil
}

// StaffFigures are one broker's staff figures for the scorecard, as plain
// values (see Fill for assessment.BrokerStats).
type StaffFigures struct {
	Broker string
	// Staff counts the people on the roster at the period's end (or now).
	Staff int
	// ByGrade counts them by grade; "" counts the ungraded.
	ByGrade map[Grade]int
	// Certified counts those with a grade or a certification in force.
	Certified int
	// Trained counts those who attended a training in the period;
	// TrainedShare is Trained / Staff (0 when there is no staff).
	Trained      int
	TrainedShare float64
	// TrainingHours adds up the hours of training attended in the period.
	TrainingHours decimal.Decimal
	// OpenCases counts the broker's open cases now; CasesPerPerson is
	// OpenCases / Staff (0 when there is no staff).
	OpenCases      int
	CasesPerPerson float64
	// Caseload maps each person's roster ID to their open assigned cases;
	// MaxCaseload is the largest of them.
	Caseload    map[string]int
	MaxCaseload int
}

// StaffFigures computes a broker's staff figures for a period. Platform
// admins and the broker's own staff only.
func (s *System) StaffFigures(ctx context.Context, p Principal, broker string, period ReportPeriod) (StaffFigures, error) {
	if !p.canManageRoster(broker) {
		return StaffFigures{}, forbidden("staff figures", KindStaff, "", "platform admins and the broker's own staff only")
	}
	f := StaffFigures{Broker: broker, ByGrade: map[Grade]int{}, Caseload: map[string]int{}, TrainingHours: decimal.Zero}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindStaff), Broker: broker})
	if err != nil {
		return f, wrap("staff figures", KindStaff, "", err)
	}
	open, err := s.openCases(ctx, broker)
	if err != nil {
		return f, wrap("staff figures", KindStaff, "", err)
	}
	at := period.To
	if at.IsZero() {
		at = s.now()
	}
	for _, r := range recs {
		v, err := s.staffLib().decodeRecord(r)
		if err != nil {
			return f, wrap("staff figures", KindStaff, r.ID, err)
		}
		if !v.Active(at) || v.Created.After(at) {
			continue
		}
		f.Staff++
		f.ByGrade[v.Grade]++
		if v.Certified(at) {
			f.Certified++
		}
		if v.TrainedIn(period) {
			f.Trained++
		}
		for _, t := range v.Training {
			if period.Contains(t.Date) {
				f.TrainingHours = f.TrainingHours.Add(t.Hours)
			}
		}
		n := countOpen(v.Cases, open)
		f.Caseload[v.ID] = n
		f.MaxCaseload = max(f.MaxCaseload, n)
	}
	f.OpenCases = len(open)
	f.TrainedShare = Rate(f.Trained, f.Staff)
	f.CasesPerPerson = Rate(f.OpenCases, f.Staff)
	return f, nil
}

// Graded returns the number of staff holding a T/CASTEM 1007-2022 grade.
func (f StaffFigures) Graded() int { return f.Staff - f.ByGrade[""] }

// Fill sets the staff figures of a scorecard's broker statistics: Staff
// (people on the roster) and TechManagers (those holding a technology
// manager grade).
func (f StaffFigures) Fill(st *assessment.BrokerStats) {
	st.Staff = f.Staff
	st.TechManagers = f.Graded()
}
