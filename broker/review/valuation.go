package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/evaluation/valuation"
	"github.com/kexie/techbroker/internal/textnorm"
	"github.com/kexie/techbroker/money"
)

// ReportStatus is where a valuation report revision stands.
type ReportStatus string

// Report statuses.
const (
	ReportDraft      ReportStatus = "draft"      // being written; changes in place
	ReportSigned     ReportStatus = "signed"     // signed by its evaluator: fixed
	ReportSuperseded ReportStatus = "superseded" // a later revision replaces it
)

// KindListing is the kind of the exchange's listings, which a valuation
// report may value (package broker/exchange keeps them).
const KindListing broker.Kind = "listing"

// ValuationReport is a valuation report (估值报告) of an achievement or a
// listing: the approach (收益法, 许可费节省法, 市场法, 成本法), its inputs and
// assumptions, the value with its range and the sensitivity table, signed
// by the evaluator (an expert of the expert library). Reports are
// versioned: each revision is its own record (Revision 1, 2, …, the same
// Report series), a draft changes in place until its evaluator signs it
// (SignValuation), and a signed revision never changes — a change is a new
// revision (ReviseValuation) that supersedes it. Render writes it in
// Chinese (万元/亿元) or English (CNY … million).
//
// A report is kept by its industry broker's desk (DraftValuation,
// ReviseValuation), signed by its evaluator (Assignee), and read by the
// subject's owners (Owners), the desk and platform admins. It is
// confidential unless its Visibility says otherwise.
type ValuationReport struct {
	broker.Meta
	// Report is the series: the ID of its first revision.
	Report     string           `json:"report,omitempty" validate:"max=64"`
	Revision   int              `json:"revision" validate:"min=1,max=10000"`
	Supersedes string           `json:"supersedes,omitempty" validate:"max=64"`
	Subject    broker.RecordRef `json:"subject"`
	Title      string           `json:"title,omitempty" validate:"max=300"`
	// Owners are the subject's owners: they read the report.
	Owners      []string          `json:"owners,omitempty" validate:"max=20,dive,max=200" org:"list"`
	Approach    valuation.Method  `json:"approach" validate:"oneof=income relief-from-royalty market cost"`
	Inputs      []ValuationInput  `json:"inputs,omitempty" validate:"max=100,dive"`
	Assumptions []string          `json:"assumptions,omitempty" validate:"max=50,dive,max=500"`
	Value       decimal.Decimal   `json:"value"`
	Low         decimal.Decimal   `json:"low"`
	High        decimal.Decimal   `json:"high"`
	Sensitivity *SensitivityTable `json:"sensitivity,omitempty"`
	// Evaluator is the expert who signs the report.
	Evaluator string       `json:"evaluator" validate:"required,max=64"`
	Status    ReportStatus `json:"status" validate:"oneof=draft signed superseded"`
	Signed    time.Time    `json:"signed,omitzero"`
	Note      string       `json:"note,omitempty" validate:"max=2000"`
}

// ValuationInput is one recorded input, as text.
type ValuationInput struct {
	Name  string `json:"name" validate:"required,max=200"`
	Value string `json:"value" validate:"max=500"`
}

// SensitivityTable is the value for each combination of the sharing (or
// royalty) rate and the discount rate (valuation.Sensitivity).
type SensitivityTable struct {
	RateName      string              `json:"rate_name"`
	Rates         []decimal.Decimal   `json:"rates"`
	DiscountRates []decimal.Decimal   `json:"discount_rates"`
	Values        [][]decimal.Decimal `json:"values"`
}

// FromReport returns a draft valuation report of subject by evaluator
// holding a valuation.Report's approach, inputs, assumptions, value, range
// and sensitivity.
func FromReport(subject broker.RecordRef, evaluator string, r valuation.Report) ValuationReport {
	v := ValuationReport{Subject: subject, Evaluator: evaluator, Approach: r.Method, Assumptions: slices.Clone(r.Assumptions),
		Value: r.Value, Low: r.Low, High: r.High}
	for _, in := range r.Inputs {
		v.Inputs = append(v.Inputs, ValuationInput{Name: in.Name, Value: in.Value})
	}
	if s := r.Sensitivity; s != nil {
		t := &SensitivityTable{RateName: s.RateName, Rates: slices.Clone(s.Rates), DiscountRates: slices.Clone(s.DiscountRates)}
		for _, row := range s.Values {
			t.Values = append(t.Values, slices.Clone(row))
		}
		v.Sensitivity = t
	}
	return v
}

// RecordKind is KindValuation.
func (ValuationReport) RecordKind() broker.Kind { return KindValuation }

// RecordStage indexes the status (ListOptions.Stage).
func (v ValuationReport) RecordStage() string { return string(v.Status) }

// DedupKey indexes the reports of one subject (ValuationKey).
func (v ValuationReport) DedupKey() string { return ValuationKey(v.Subject) }

// ValuationKey is the ListOptions.Key of a subject's valuation reports.
func ValuationKey(subject broker.RecordRef) string { return "valuation:" + subject.String() }

// OwnerOrgs are the subject's owners.
func (v ValuationReport) OwnerOrgs() []string { return v.Owners }

// Assignees: the evaluator signs the report.
func (v ValuationReport) Assignees() []string { return []string{v.Evaluator} }

// Normalized folds the text, defaults the visibility to confidential and
// rounds the amounts to fen.
func (v ValuationReport) Normalized() ValuationReport {
	if v.Visibility == "" {
		v.Visibility = broker.Confidential
	}
	v.Report, v.Supersedes, v.Title = textnorm.Text(v.Report), textnorm.Text(v.Supersedes), textnorm.Text(v.Title)
	v.Subject.ID = textnorm.Text(v.Subject.ID)
	v.Owners = textnorm.List(v.Owners)
	v.Approach = valuation.Method(textnorm.Enum(string(v.Approach)))
	if v.Inputs != nil {
		ins := make([]ValuationInput, len(v.Inputs))
		for i, in := range v.Inputs {
			ins[i] = ValuationInput{Name: textnorm.Text(in.Name), Value: textnorm.Text(in.Value)}
		}
		v.Inputs = ins
	}
	v.Assumptions = textnorm.List(v.Assumptions)
	v.Evaluator, v.Note = textnorm.Text(v.Evaluator), textnorm.Multiline(v.Note)
	v.Status = ReportStatus(textnorm.Enum(string(v.Status)))
	v.Signed = utcMicro(v.Signed)
	return v
}

// Validate checks the subject, the amounts (yuan, at most 2 places, not
// negative, Low ≤ Value ≤ High) and the sensitivity table's shape.
func (v ValuationReport) Validate(c *broker.Check) {
	if v.Subject.Kind != broker.KindAchievement && v.Subject.Kind != KindListing {
		c.Add("subject.kind", "oneof", "achievement listing", string(v.Subject.Kind))
	}
	if v.Subject.ID == "" {
		c.Add("subject.id", "required", "", "")
	}
	c.Money("value", v.Value)
	c.Money("low", v.Low)
	c.Money("high", v.High)
	if v.Low.GreaterThan(v.Value) {
		c.Add("low", "max", v.Value.String(), v.Low.String())
	}
	if v.High.LessThan(v.Value) {
		c.Add("high", "range_order", v.Value.String(), v.High.String())
	}
	if t := v.Sensitivity; t != nil {
		if len(t.Values) != len(t.Rates) {
			c.Add("sensitivity.values", "invalid", "", fmt.Sprintf("%d rows for %d rates", len(t.Values), len(t.Rates)))
		}
		for i, row := range t.Values {
			if len(row) != len(t.DiscountRates) {
				c.Add("sensitivity.values["+strconv.Itoa(i)+"]", "invalid", "", fmt.Sprintf("%d values for %d discount rates", len(row), len(t.DiscountRates)))
			}
		}
		if len(t.Rates) > 20 || len(t.DiscountRates) > 20 {
			c.Add("sensitivity", "max_len", "20", strconv.Itoa(max(len(t.Rates), len(t.DiscountRates))))
		}
	}
	if v.Status == ReportSigned && v.Signed.IsZero() {
		c.Add("signed", "required", "", "")
	}
}

// GuardUpdate: only the operations write a report.
func (v ValuationReport) GuardUpdate(stored ValuationReport) []broker.FieldError {
	return []broker.FieldError{{Field: "status", Code: "guarded", Param: "DraftValuation, ReviseValuation and SignValuation", Value: string(v.Status)}}
}

// DraftValuation writes the first revision of a valuation report, as a
// draft of the desk of r.Broker (the principal must operate it). The
// subject's owners are copied from an achievement; a listing is taken by
// reference. The evaluator must be in the expert library.
func (s *Service) DraftValuation(ctx context.Context, p broker.Principal, r ValuationReport) (ValuationReport, error) {
	var out ValuationReport
	err := s.update(ctx, "draft valuation", KindValuation, "", func(tx *broker.Tx, _ *pool) error {
		desk := broker.DeskTarget(textnorm.Text(r.Broker))
		if !broker.Can(p, broker.ActOperate, desk) {
			return broker.Forbidden("draft valuation", KindValuation, "", "only platform admins and the broker's staff draft valuation reports")
		}
		v, err := s.valuationDraft(tx, r)
		if err != nil {
			return err
		}
		v.ID, v.Report, v.Revision, v.Supersedes = "", "", 1, ""
		if out, err = broker.Create(tx, p, v, broker.Via(broker.ActOperate, desk), broker.Logged("drafted", nil)); err != nil {
			return err
		}
		out.Report = out.ID
		out, err = broker.Replace(tx, p, out, broker.Via(broker.ActOperate, desk), broker.Logged("series", nil))
		return err
	})
	return out, err
}

// valuationDraft prepares a draft: status, subject owners, evaluator.
func (s *Service) valuationDraft(tx *broker.Tx, r ValuationReport) (ValuationReport, error) {
	r.Status, r.Signed = ReportDraft, time.Time{}
	r.Evaluator = textnorm.Text(r.Evaluator)
	if _, err := broker.Read[broker.Expert](tx, r.Evaluator); errors.Is(err, broker.ErrNotFound) {
		return r, invalid(KindValuation, broker.FieldError{Field: "evaluator", Code: "ref", Value: r.Evaluator})
	} else if err != nil {
		return r, err
	}
	if r.Subject.Kind == broker.KindAchievement {
		sb, err := readSubject(tx, r.Subject, "subject")
		if err != nil {
			return r, err
		}
		r.Title, r.Owners = sb.title, sb.owners
	}
	return r, nil
}

// ReviseValuation changes a report: a draft changes in place; a signed
// revision is superseded by a new draft revision (Revision + 1) holding r,
// in one transaction. Only the series' latest revision may be revised
// (broker.ErrConflict otherwise). The principal must operate the report's
// desk.
func (s *Service) ReviseValuation(ctx context.Context, p broker.Principal, id string, r ValuationReport) (ValuationReport, error) {
	var out ValuationReport
	err := s.update(ctx, "revise valuation", KindValuation, id, func(tx *broker.Tx, _ *pool) error {
		cur, err := broker.Read[ValuationReport](tx, id)
		if err != nil {
			return err
		}
		desk := broker.DeskTarget(cur.Broker)
		if !broker.Can(p, broker.ActOperate, desk) {
			return broker.Forbidden("revise valuation", KindValuation, id, "only platform admins and the broker's staff revise valuation reports")
		}
		r.Broker, r.Subject = cur.Broker, cur.Subject
		v, err := s.valuationDraft(tx, r)
		if err != nil {
			return err
		}
		v.Report = cur.Report
		switch cur.Status {
		case ReportDraft:
			v.ID, v.Version, v.Revision, v.Supersedes = cur.ID, cur.Version, cur.Revision, cur.Supersedes
			out, err = broker.Replace(tx, p, v, broker.Via(broker.ActOperate, desk), broker.Logged("revised", nil))
			return err
		case ReportSigned:
		default:
			return refused("revise valuation", KindValuation, id, errors.New("a later revision supersedes it"))
		}
		v.ID, v.Version, v.Revision, v.Supersedes = "", 0, cur.Revision+1, cur.ID
		if out, err = broker.Create(tx, p, v, broker.Via(broker.ActOperate, desk), broker.Logged("drafted", nil)); err != nil {
			return err
		}
		cur.Status = ReportSuperseded
		_, err = broker.Replace(tx, p, cur, broker.Via(broker.ActOperate, desk), broker.Logged("superseded", map[string]string{"by": out.ID}))
		return err
	})
	return out, err
}

// SignValuation signs a draft report. Only its evaluator signs it, and the
// draft must be the version the evaluator read (broker.ErrStale
// otherwise); a signed report never changes again.
func (s *Service) SignValuation(ctx context.Context, p broker.Principal, id string, version int64) (ValuationReport, error) {
	var out ValuationReport
	err := s.update(ctx, "sign valuation", KindValuation, id, func(tx *broker.Tx, _ *pool) error {
		cur, err := broker.Read[ValuationReport](tx, id)
		if err != nil {
			return err
		}
		target := broker.TargetOf(cur)
		if cur.Evaluator != p.ID || !broker.Can(p, broker.ActTakePart, target) {
			return broker.Forbidden("sign valuation", KindValuation, id, "only the report's evaluator signs it")
		}
		if cur.Status != ReportDraft {
			return refused("sign valuation", KindValuation, id, errors.New("the report is "+string(cur.Status)))
		}
		cur.Version = version
		cur.Status, cur.Signed = ReportSigned, tx.Now()
		out, err = broker.Replace(tx, p, cur, broker.Via(broker.ActTakePart, target), broker.Logged("signed", nil))
		return err
	})
	return out, err
}

// ValuationsOf returns the valuation reports of a subject that the
// principal may read, by series and revision.
func (s *Service) ValuationsOf(ctx context.Context, p broker.Principal, subject broker.RecordRef) ([]ValuationReport, error) {
	out, err := s.Valuations.Find(ctx, p, broker.ListOptions{Key: ValuationKey(subject)})
	slices.SortFunc(out, func(a, b ValuationReport) int {
		if c := strings.Compare(a.Report, b.Report); c != 0 {
			return c
		}
		return a.Revision - b.Revision
	})
	return out, err
}

// Render writes the report for readers of the language tag: Chinese tags
// get Chinese with amounts in 万元/亿元, every other tag English with
// amounts in CNY millions (package money).
func (v ValuationReport) Render(tag language.Tag) string {
	zh := isChinese(tag)
	amount := func(d decimal.Decimal) string { return money.Format(d, tag) }
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	status := map[ReportStatus][2]string{ReportDraft: {"草稿", "draft"}, ReportSigned: {"已签署", "signed"}, ReportSuperseded: {"已被替代", "superseded"}}[v.Status]
	approach := approachLabel(v.Approach)
	if zh {
		line("估值报告 %s 第 %d 版（%s）", v.Report, v.Revision, status[0])
		line("评估对象：%s（%s %s）", v.Title, kindZh(v.Subject.Kind), v.Subject.ID)
		line("评估方法：%s", approach[0])
		line("评估值：%s（区间 %s 至 %s）", amount(v.Value), amount(v.Low), amount(v.High))
	} else {
		line("Valuation report %s, revision %d (%s)", v.Report, v.Revision, status[1])
		line("Subject: %s (%s %s)", v.Title, v.Subject.Kind, v.Subject.ID)
		line("Approach: %s", approach[1])
		line("Value: %s (range %s to %s)", amount(v.Value), amount(v.Low), amount(v.High))
	}
	if len(v.Inputs) > 0 {
		line(pick(zh, "主要参数：", "Inputs:"))
		for _, in := range v.Inputs {
			line("  - %s: %s", in.Name, in.Value)
		}
	}
	if len(v.Assumptions) > 0 {
		line(pick(zh, "假设：", "Assumptions:"))
		for _, a := range v.Assumptions {
			line("  - %s", a)
		}
	}
	if t := v.Sensitivity; t != nil && len(t.Rates) > 0 {
		line(pick(zh, "敏感性分析（%s × 折现率）：", "Sensitivity (%s × discount rate):"), t.RateName)
		cols := []string{pick(zh, "折现率", "discount")}
		for _, d := range t.DiscountRates {
			cols = append(cols, percent(d))
		}
		line("  %s", strings.Join(cols, " | "))
		for i, r := range t.Rates {
			row := []string{percent(r)}
			if i < len(t.Values) {
				for _, x := range t.Values[i] {
					row = append(row, amount(x))
				}
			}
			line("  %s", strings.Join(row, " | "))
		}
	}
	switch {
	case v.Status == ReportDraft && zh:
		line("评估人：%s（待签署）", v.Evaluator)
	case v.Status == ReportDraft:
		line("Evaluator: %s (not signed yet)", v.Evaluator)
	case zh:
		line("评估人：%s，签署于 %s", v.Evaluator, v.Signed.In(cst).Format("2006-01-02"))
	default:
		line("Evaluator: %s, signed on %s", v.Evaluator, v.Signed.In(cst).Format("2006-01-02"))
	}
	if v.Supersedes != "" {
		line(pick(zh, "替代版本：%s", "Supersedes: %s"), v.Supersedes)
	}
	if v.Note != "" {
		line(pick(zh, "说明：%s", "Note: %s"), v.Note)
	}
	return b.String()
}

var cst = time.FixedZone("CST", 8*3600)

func isChinese(tag language.Tag) bool {
	base, _ := tag.Base()
	return base.String() == "zh"
}

func pick(zh bool, a, b string) string {
	if zh {
		return a
	}
	return b
}

func percent(d decimal.Decimal) string {
	return d.Mul(decimal.NewFromInt(100)).Round(2).String() + "%"
}

func approachLabel(m valuation.Method) [2]string {
	switch m {
	case valuation.IncomeMethod:
		return [2]string{"收益法（分成率）", "income approach (profit sharing)"}
	case valuation.RoyaltyMethod:
		return [2]string{"许可费节省法", "relief from royalty"}
	case valuation.MarketMethod:
		return [2]string{"市场法", "market approach"}
	case valuation.CostMethod:
		return [2]string{"成本法", "cost approach"}
	}
	return [2]string{string(m), string(m)}
}

func kindZh(k broker.Kind) string {
	switch k {
	case broker.KindAchievement:
		return "科技成果"
	case KindListing:
		return "挂牌项目"
	}
	return string(k)
}
