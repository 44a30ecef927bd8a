package capital_test

import (
	"math"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

func TestStageFit(t *testing.T) {
	bands := capital.DefaultStageReadiness()
	early := capital.Investor{Stages: []capital.InvestStage{capital.StageSeed, capital.StageAngel}}
	tests := []struct {
		name  string
		v     capital.Investor
		level int
		bands map[capital.InvestStage]capital.ReadinessBand
		want  float64
		why   string
	}{
		{"not assessed", early, 0, bands, 0.5, "readiness not assessed"},
		{"inside seed", early, 2, bands, 1, "readiness level 2 is within the seed band 1–4"},
		{"inside angel", early, 6, bands, 1, "readiness level 6 is within the angel band 3–6"},
		{"one above angel", early, 7, bands, 2.0 / 3, "readiness level 7 is 1 level(s) outside the angel band 3–6"},
		{"three above", early, 9, bands, 0, "readiness level 9 is 3 level(s) outside the angel band 3–6"},
		{"no stages", capital.Investor{}, 5, bands, 0.5, "the investor names no stage"},
		{"no band for its stage", early, 5, map[capital.InvestStage]capital.ReadinessBand{capital.StageC: {7, 9}}, 0.5, "no readiness band"},
		{"far band", early, 1, map[capital.InvestStage]capital.ReadinessBand{capital.StageSeed: {50, 60}}, 0, "49 level(s) outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := capital.StageFit(tt.v, tt.level, tt.bands)
			if math.Abs(got-tt.want) > 1e-9 || !strings.Contains(why, tt.why) {
				t.Errorf("got %v %q, want %v %q", got, why, tt.want, tt.why)
			}
		})
	}
}

func TestTicketAndRegionFit(t *testing.T) {
	v := capital.Investor{Ticket: broker.Range{Min: dec("1000000"), Max: dec("10000000")}, Regions: []string{"上海市"}}
	open := capital.Investor{Ticket: broker.Range{Min: dec("100")}}
	check := func(name string, got float64, why string, want float64, wantWhy string) {
		t.Helper()
		if got != want || why != wantWhy {
			t.Errorf("%s: got %v %q, want %v %q", name, got, why, want, wantWhy)
		}
	}
	g, w := capital.TicketFit(v, dec("3000000"))
	check("inside", g, w, 1, "asking price 3000000 is within the ticket 1000000–10000000")
	g, w = capital.TicketFit(v, dec("300"))
	check("outside", g, w, 0, "asking price 300 is outside the ticket 1000000–10000000")
	g, w = capital.TicketFit(v, dec("0"))
	check("negotiable", g, w, 0.5, "no asking price (negotiable)")
	g, w = capital.TicketFit(open, dec("300"))
	check("open-ended", g, w, 1, "asking price 300 is within the ticket 100–∞")
	g, w = capital.RegionFit(v, "上海市杨浦区")
	check("region", g, w, 1, "the investor invests in 上海市杨浦区")
	g, w = capital.RegionFit(v, "浙江省")
	check("other region", g, w, 0, "the investor does not name the achievement's region")
	g, w = capital.RegionFit(open, "")
	check("anywhere", g, w, 1, "the investor invests in any region")
}
