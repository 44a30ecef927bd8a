package contract

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin for the daylight-saving case
)

// TestNoticeCannotBeShortened: a state-funded seller's agreement price
// needs at least MinNoticeDays of 公示, whatever the options say; options
// may only ask for more (issue 21, defect 3: the exchange passed the
// listing's own 3-day term as CheckOptions.NoticeDays and the finding
// passed "noticed for 3 days", while nil options failed it).
func TestNoticeCannotBeShortened(t *testing.T) {
	c := good()
	c.Pricing.Notice.Start, c.Pricing.Notice.End = date(2026, 3, 1), date(2026, 3, 4)
	for _, opts := range []*CheckOptions{nil, {}, {NoticeDays: 3}, {NoticeDays: 1}, {NoticeDays: -5}, {NoticeDays: 15}} {
		f := CheckPricing(c, opts)
		if f.Pass || !strings.Contains(f.Why, "the notice ran 3 days, fewer than the required 15") {
			t.Errorf("3-day notice, options %+v: got %v, want FAIL: fewer than the required 15", opts, f)
		}
	}
	// Longer local rules still apply.
	c = good() // a 15-day notice
	if f := CheckPricing(c, &CheckOptions{NoticeDays: 30}); f.Pass || !strings.Contains(f.Why, "fewer than the required 30") {
		t.Errorf("30-day rule: got %v, want FAIL: fewer than the required 30", f)
	}
	if f := CheckPricing(c, &CheckOptions{NoticeDays: 3}); !f.Pass {
		t.Errorf("15-day notice, options 3: got %v, want pass", f)
	}
}

func TestRequiredNoticeDays(t *testing.T) {
	tests := []struct {
		public bool
		path   PricingPath
		opts   *CheckOptions
		want   int
	}{
		{true, ByAgreement, nil, 15},
		{true, ByAgreement, &CheckOptions{NoticeDays: 3}, 15},
		{true, ByAgreement, &CheckOptions{NoticeDays: -1}, 15},
		{true, ByAgreement, &CheckOptions{NoticeDays: 20}, 20},
		{true, ByListing, nil, 0},
		{true, ByAuction, &CheckOptions{NoticeDays: 20}, 0},
		{true, "", nil, 0},
		{false, ByAgreement, nil, 0},
		{false, ByAgreement, &CheckOptions{NoticeDays: 20}, 0},
	}
	for _, tt := range tests {
		if got := RequiredNoticeDays(tt.public, tt.path, tt.opts); got != tt.want {
			t.Errorf("RequiredNoticeDays(%v, %q, %+v): got %d, want %d", tt.public, tt.path, tt.opts, got, tt.want)
		}
	}
}

func TestCheckNoticeDays(t *testing.T) {
	tests := []struct {
		public bool
		path   PricingPath
		days   int
		opts   *CheckOptions
		want   string // substring of the error; "" = nil
	}{
		{true, ByAgreement, 15, nil, ""},
		{true, ByAgreement, 90, nil, ""},
		{true, ByAgreement, 3, nil, "contract: NoticeDays = 3: a state-funded research institute or university pricing by agreement needs at least 15 days of public notice (公示)"},
		{true, ByAgreement, 0, nil, "NoticeDays = 0: a state-funded"},
		{true, ByAgreement, 15, &CheckOptions{NoticeDays: 20}, "NoticeDays = 15: a state-funded research institute or university pricing by agreement needs at least 20 days"},
		{true, ByAgreement, 3, &CheckOptions{NoticeDays: 3}, "at least 15 days"},
		{false, ByAgreement, 3, nil, ""},
		{true, ByListing, 0, nil, ""},
		{false, ByAgreement, -1, nil, "NoticeDays = -1: must not be negative"},
		{true, ByListing, -1, nil, "NoticeDays = -1: must not be negative"},
	}
	for _, tt := range tests {
		err := CheckNoticeDays(tt.public, tt.path, tt.days, tt.opts)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckNoticeDays(%v, %q, %d): got %v, want nil", tt.public, tt.path, tt.days, err)
		case tt.want != "":
			var fe *FieldError
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &fe) || fe.Field != "NoticeDays" || !errors.Is(err, ErrInvalid) {
				t.Errorf("CheckNoticeDays(%v, %q, %d): got %v, want a *FieldError on NoticeDays containing %q", tt.public, tt.path, tt.days, err, tt.want)
			}
		}
	}
}

// TestNoticeDaysCalendar: Days counts calendar days in the notice's time
// zone, so 15 days that contain a daylight-saving change are still 15.
func TestNoticeDaysCalendar(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		start, end time.Time
		want       int
	}{
		{date(2026, 3, 1), date(2026, 3, 16), 15},
		{date(2026, 3, 1), date(2026, 3, 16).Add(-time.Second), 14},
		{date(2026, 3, 1), date(2026, 3, 1), 0},
		{date(2026, 3, 2), date(2026, 3, 1), 0},
		{time.Date(2026, 3, 20, 9, 0, 0, 0, berlin), time.Date(2026, 4, 4, 9, 0, 0, 0, berlin), 15},   // 23-hour day on 29 March
		{time.Date(2026, 10, 20, 9, 0, 0, 0, berlin), time.Date(2026, 11, 4, 9, 0, 0, 0, berlin), 15}, // 25-hour day on 25 October
		{time.Date(2026, 10, 20, 9, 0, 0, 0, berlin), time.Date(2026, 11, 4, 8, 59, 0, 0, berlin), 14},
		{time.Date(2026, 3, 20, 9, 0, 0, 0, berlin), time.Date(2026, 4, 4, 7, 0, 0, 0, time.UTC), 15}, // 09:00 Berlin
		{date(2026, 1, 1), date(2826, 1, 1), 292194},                                                  // beyond time.Duration's range
	}
	for _, tt := range tests {
		if got := (Notice{Start: tt.start, End: tt.end}).Days(); got != tt.want {
			t.Errorf("Days(%v → %v): got %d, want %d", tt.start, tt.end, got, tt.want)
		}
	}
}
