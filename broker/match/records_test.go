package match_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/internal/orgtag"
	"github.com/kexie/techbroker/internal/tagplan/tagplantest"
)

// The package's one record type tells organization merges where it names
// organizations, and its validate tags agree with the compiled plans.
func TestSuggestionRecord(t *testing.T) {
	if got := orgtag.Lint(reflect.TypeFor[match.Suggestion]()); len(got) > 0 {
		t.Errorf("Suggestion: %v", got)
	}
	tagplantest.Agree(t, match.Suggestion{})
}

// A demand's matches, explained, and a search, on one memory store.
func ExampleService() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	sys := broker.New(memstore.New(), &broker.Options{NewID: broker.SequentialIDs()})
	for _, a := range []broker.Achievement{
		{Title: "深远海养殖网箱水质在线监测系统", Keywords: []string{"水质监测", "深远海养殖"}, Owner: "上海海洋大学"},
		{Title: "新生儿黄疸无创经皮检测仪", Keywords: []string{"新生儿黄疸"}, Owner: "新华医院"},
		{Title: "水下机器人网箱巡检", Keywords: []string{"水下机器人"}, Owner: "上海海洋大学",
			Meta: broker.Meta{Visibility: broker.Confidential}},
	} {
		if _, err := sys.Achievements.Create(ctx, admin, a); err != nil {
			panic(err)
		}
	}
	d, err := sys.Demands.Create(ctx, admin, broker.Demand{Enterprise: "临港渔业公司", Title: "网箱水质监测",
		Problem: "深远海养殖网箱需要在线监测水质，并用水下机器人巡检"})
	if err != nil {
		panic(err)
	}
	svc, err := match.New(sys, nil)
	if err != nil {
		panic(err)
	}
	buyer := broker.EnterpriseUser("u1", "临港渔业公司")
	rs, err := svc.MatchDemand(ctx, buyer, d.ID, &match.MatchOptions{K: 2})
	if err != nil {
		panic(err)
	}
	for _, r := range rs { // the confidential achievement is not the enterprise's to see
		fmt.Println(r.Ref.ID, r.Record.(broker.Achievement).Title, r.Explanation.Terms)
	}
	pg, err := svc.Search(ctx, broker.Anonymous(), match.SearchQuery{Text: "网箱", Kinds: []broker.Kind{broker.KindAchievement}})
	if err != nil {
		panic(err)
	}
	fmt.Println(pg.Total, pg.Results[0].Ref.ID, pg.Facets.Brokers)
	// Output:
	// ach-000001 深远海养殖网箱水质在线监测系统 [网箱水质监测 深远海养殖网箱 线监测]
	// ach-000002 新生儿黄疸无创经皮检测仪 []
	// 1 ach-000001 [{ 1}]
}
