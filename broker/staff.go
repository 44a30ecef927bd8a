package broker

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/internal/decimalx"
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

func (Staff) RecordKind() Kind       { return KindStaff }
func (Staff) AccessClass() Class     { return ClassDesk }
func (st Staff) RecordStage() string { return string(st.Grade) }
func (st Staff) DedupKey() string    { return staffKey(st.Broker, st.Person) }
func (Staff) columns() map[string]setter[Staff] {
	return withColumns(metaColumns(func(st *Staff) *Meta { return &st.Meta }), map[string]setter[Staff]{
		"person":            func(st *Staff, s string, c *Check) { st.Person = s },
		"name":              func(st *Staff, s string, c *Check) { st.Name = s },
		"grade":             func(st *Staff, s string, c *Check) { st.Grade = Grade(enumCode(s, gradeNames)) },
		"grade_certificate": func(st *Staff, s string, c *Check) { st.GradeCertificate = s },
	})
}

var gradeNames = map[string]string{"初级": "junior", "初级技术经理人": "junior", "中级": "intermediate",
	"中级技术经理人": "intermediate", "高级": "senior", "高级技术经理人": "senior"}

func (st Staff) Normalized() Staff {
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

func (st Staff) Validate(c *Check) {
	if st.Broker == "" {
		c.Add("broker", "required", "", "")
	}
	for i, x := range st.Certifications {
		if !x.Issued.IsZero() && !x.Expires.IsZero() && x.Expires.Before(x.Issued) {
			c.Add("certifications["+itoa(i)+"].expires", "date_order", "issued "+x.Issued.Format(time.DateOnly), x.Expires.Format(time.DateOnly))
		}
	}
	for i, t := range st.Training {
		f := "training[" + itoa(i) + "].hours"
		if !decimalx.Sane(t.Hours, 2) {
			c.Add(f, "malformed", "number", decimalx.Short(t.Hours))
		} else if t.Hours.Sign() < 0 {
			c.Add(f, "negative", "", t.Hours.String())
		}
	}
}

// AddStaff puts a person on an industry broker's roster (st.Broker) and
// adds them to the broker's Staff list, in one transaction. Platform admins
// and that broker's staff only; ErrExists if the person is on the roster
// already.
func (s *System) AddStaff(ctx context.Context, p Principal, st Staff) (Staff, error) {
	var out Staff
	err := s.update(ctx, "add staff", KindStaff, st.Person, func(tx *Tx) error {
		st, err := prepare(s, st)
		if err != nil {
			return err
		}
		b, err := Read[IndustryBroker](tx, st.Broker)
		if errors.Is(err, ErrNotFound) {
			return invalid(KindStaff, FieldError{Field: "broker", Code: "ref", Value: st.Broker})
		} else if err != nil {
			return err
		}
		if dup, err := Find[Staff](tx, PlatformAdmin("system"), ListOptions{Key: st.DedupKey()}); err != nil {
			return err
		} else if len(dup) > 0 {
			return &Error{Op: "add staff", Kind: KindStaff, ID: dup[0].ID, Code: ErrExists, Err: errors.New("the person is on the roster already")}
		}
		if out, err = Create(tx, p, st); err != nil {
			return err
		}
		if !b.HasStaff(out.Person) {
			b.Staff = append(slices.Clone(b.Staff), StaffMember{ID: out.Person, Name: out.Name, Role: "技术经理人"})
			_, err = Replace(tx, p, b, Via(ActOperate, TargetOf(out)), Logged("staff_added", nil))
		}
		return err
	})
	return out, err
}

// ModifyStaff applies fn to a roster entry and stores it, validated, in
// one transaction. fn may change anything but the broker and the person.
// Platform admins and that broker's staff only.
func (s *System) ModifyStaff(ctx context.Context, p Principal, id string, fn func(*Staff) error) (Staff, error) {
	var out Staff
	err := s.update(ctx, "modify staff", KindStaff, id, func(tx *Tx) error {
		v, err := Get[Staff](tx, p, id)
		if err != nil {
			return err
		}
		person, meta := v.Person, v.Meta
		if err := fn(&v); err != nil {
			return err
		}
		v.Person, v.Meta = person, meta
		out, err = Replace(tx, p, v)
		return err
	})
	return out, err
}

// Roster returns a broker's staff, active or not, ordered by ID. Any
// signed-in principal may read it (staff are Members-visible by default).
func (s *System) Roster(ctx context.Context, p Principal, broker string) ([]Staff, error) {
	return NewLibrary[Staff](s).Find(ctx, p, ListOptions{Broker: broker})
}

// AssignCase assigns a case to a roster entry. The case must be open and
// handled by the entry's broker; assigning it twice changes nothing.
func (s *System) AssignCase(ctx context.Context, p Principal, staffID, caseID string) (Staff, error) {
	var out Staff
	err := s.update(ctx, "assign case", KindStaff, staffID, func(tx *Tx) error {
		v, err := Read[Staff](tx, staffID)
		if err != nil {
			return err
		}
		if !CanDo(p, ActOperate, v) {
			return forbidden("assign case", KindStaff, staffID, "platform admins and the broker's own staff only")
		}
		c, err := Read[Case](tx, caseID)
		if errors.Is(err, ErrNotFound) {
			return invalid(KindStaff, FieldError{Field: "case", Code: "ref", Value: caseID})
		} else if err != nil {
			return err
		}
		if c.Broker != v.Broker {
			return invalid(KindStaff, FieldError{Field: "case", Code: "invalid", Value: "handled by broker " + c.Broker})
		}
		if !c.Stage.Open() {
			return &TransitionError{Kind: KindCase, ID: caseID, From: string(c.Stage), To: string(c.Stage), Reason: "a closed case cannot be assigned"}
		}
		if slices.Contains(v.Cases, caseID) {
			out = v
			return nil
		}
		v.Cases = append(slices.Clone(v.Cases), caseID)
		out, err = Replace(tx, p, v, Via(ActOperate, TargetOf(v)), Logged("case_assigned", nil))
		return err
	})
	return out, err
}

// Caseload returns the number of the roster entry's assigned cases that
// are still open.
func (s *System) Caseload(ctx context.Context, p Principal, staffID string) (int, error) {
	v, err := NewLibrary[Staff](s).Get(ctx, p, staffID)
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
// admins, the broker's own staff and oversight only (ActRead on the desk).
func (s *System) StaffFigures(ctx context.Context, p Principal, broker string, period ReportPeriod) (StaffFigures, error) {
	if !Can(p, ActRead, DeskTarget(broker)) {
		return StaffFigures{}, forbidden("staff figures", KindStaff, "", "platform admins, the broker's own staff and oversight only")
	}
	f := StaffFigures{Broker: broker, ByGrade: map[Grade]int{}, Caseload: map[string]int{}, TrainingHours: decimal.Zero}
	roster, err := NewLibrary[Staff](s).Find(ctx, p, ListOptions{Broker: broker})
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
	for _, v := range roster {
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

// utcMicro is t in UTC at microsecond precision; the zero time stays zero.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}
