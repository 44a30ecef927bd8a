package review_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/evaluation/valuation"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// incomeReport is an income-approach valuation of ¥12.5M expected profit
// over three years.
func incomeReport(t *testing.T) valuation.Report {
	t.Helper()
	r, err := valuation.IncomeApproach(valuation.Income{
		Benefits:    []decimal.Decimal{dec("30000000"), dec("40000000"), dec("50000000")},
		Basis:       "profit",
		SharingRate: dec("0.25"),
		Discount:    valuation.BuildUp{RiskFree: dec("0.03"), Technical: dec("0.04"), Market: dec("0.03"), Funding: dec("0.01"), Management: dec("0.01")},
		Assumptions: []string{"三年内完成中试并量产"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestValuationLife: a desk drafts a report from a valuation, only its
// evaluator signs it, a signed revision is superseded by a new one, and
// the owner reads them all.
func TestValuationLife(t *testing.T) {
	f := newFixture(t, nil)
	f.experts(t, 2, 23)
	ref := f.achievement(t, []string{"养殖", "水质"}, false)
	r := review.FromReport(ref, "exp-0001", incomeReport(t))
	r.Broker = marine
	if _, err := f.rv.DraftValuation(ctx, f.other, r); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another desk drafts: %v", err)
	}
	bad := r
	bad.Evaluator, bad.Low = "nobody", r.Value.Add(dec("1"))
	if _, err := f.rv.DraftValuation(ctx, f.staff, bad); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("an unknown evaluator: %v", err)
	}
	d, err := f.rv.DraftValuation(ctx, f.staff, r)
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision != 1 || d.Report != d.ID || d.Status != review.ReportDraft || len(d.Owners) == 0 || d.Title == "" {
		t.Fatalf("draft: %+v", d)
	}
	if _, err := f.rv.SignValuation(ctx, broker.ExpertUser("exp-0000"), d.ID, d.Version); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another expert signs: %v", err)
	}
	if _, err := f.rv.SignValuation(ctx, f.staff, d.ID, d.Version); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("the desk signs for the evaluator: %v", err)
	}
	if _, err := f.rv.SignValuation(ctx, broker.ExpertUser("exp-0001"), d.ID, d.Version-1+5); !errors.Is(err, broker.ErrStale) {
		t.Errorf("signing another version: %v, want ErrStale", err)
	}
	s1, err := f.rv.SignValuation(ctx, broker.ExpertUser("exp-0001"), d.ID, d.Version)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Status != review.ReportSigned || s1.Signed.IsZero() {
		t.Errorf("signed: %+v", s1)
	}
	if _, err := f.rv.SignValuation(ctx, broker.ExpertUser("exp-0001"), d.ID, s1.Version); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("signing twice: %v", err)
	}
	// A change makes revision 2; revision 1 is superseded and unchanged.
	r2 := r
	r2.Note = "分成率按行业惯例下调"
	r2.Value, r2.Low, r2.High = dec("20000000"), dec("18000000"), dec("23000000")
	v2, err := f.rv.ReviseValuation(ctx, f.staff, s1.ID, r2)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Revision != 2 || v2.Supersedes != s1.ID || v2.Report != s1.Report || v2.Status != review.ReportDraft {
		t.Errorf("revision 2: %+v", v2)
	}
	if _, err := f.rv.ReviseValuation(ctx, f.staff, s1.ID, r2); !errors.Is(err, broker.ErrConflict) {
		t.Errorf("revising a superseded revision: %v", err)
	}
	all, err := f.rv.ValuationsOf(ctx, f.owner, ref)
	if err != nil || len(all) != 2 || all[0].Status != review.ReportSuperseded || !all[0].Value.Equal(s1.Value) || all[1].Revision != 2 {
		t.Errorf("the owner's view of the series: %+v, %v", all, err)
	}
	if got, err := f.rv.ValuationsOf(ctx, broker.InstitutionUser("u", "复旦大学"), ref); err != nil || len(got) != 0 {
		t.Errorf("another institution reads %d reports (%v)", len(got), err)
	}
}

// TestValuationRender writes a signed report in Chinese and in English.
func TestValuationRender(t *testing.T) {
	v := review.ValuationReport{Meta: broker.Meta{ID: "val-000002"}, Report: "val-000001", Revision: 2, Supersedes: "val-000001",
		Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: "ach-000001"}, Title: "深远海养殖网箱水质在线监测系统",
		Approach: valuation.IncomeMethod, Inputs: []review.ValuationInput{{Name: "分成率", Value: "0.25"}},
		Assumptions: []string{"三年内完成中试并量产"}, Value: dec("21543210.55"), Low: dec("18000000"), High: dec("415000000"),
		Sensitivity: &review.SensitivityTable{RateName: "分成率", Rates: []decimal.Decimal{dec("0.24"), dec("0.25")},
			DiscountRates: []decimal.Decimal{dec("0.11"), dec("0.12")},
			Values:        [][]decimal.Decimal{{dec("21000000"), dec("20500000")}, {dec("22000000"), dec("21543210.55")}}},
		Evaluator: "exp-0001", Status: review.ReportSigned, Signed: time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)}
	zh := `估值报告 val-000001 第 2 版（已签署）
评估对象：深远海养殖网箱水质在线监测系统（科技成果 ach-000001）
评估方法：收益法（分成率）
评估值：2154.32万元（区间 1800万元 至 4.15亿元）
主要参数：
  - 分成率: 0.25
假设：
  - 三年内完成中试并量产
敏感性分析（分成率 × 折现率）：
  折现率 | 11% | 12%
  24% | 2100万元 | 2050万元
  25% | 2200万元 | 2154.32万元
评估人：exp-0001，签署于 2026-03-03
替代版本：val-000001
`
	en := `Valuation report val-000001, revision 2 (signed)
Subject: 深远海养殖网箱水质在线监测系统 (achievement ach-000001)
Approach: income approach (profit sharing)
Value: CNY 21.54 million (range CNY 18.00 million to CNY 415.00 million)
Inputs:
  - 分成率: 0.25
Assumptions:
  - 三年内完成中试并量产
Sensitivity (分成率 × discount rate):
  discount | 11% | 12%
  24% | CNY 21.00 million | CNY 20.50 million
  25% | CNY 22.00 million | CNY 21.54 million
Evaluator: exp-0001, signed on 2026-03-03
Supersedes: val-000001
`
	if diff := cmp.Diff(zh, v.Render(language.Chinese)); diff != "" {
		t.Errorf("zh (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(en, v.Render(language.English)); diff != "" {
		t.Errorf("en (-want +got):\n%s", diff)
	}
}
