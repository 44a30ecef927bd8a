package broker_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/memstore"
)

// wrappingStore wraps every ErrNotFound of Get, as the driver contract
// allows adapters to do.
type wrappingStore struct{ driver.Store }

func (w wrappingStore) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	rec, err := w.Store.Get(ctx, kind, id)
	if err != nil {
		err = fmt.Errorf("store says: %w", err)
	}
	return rec, err
}

// The history of a deleted record stays readable to platform admins when
// the store wraps ErrNotFound (issue 21, defect 8).
func TestEventsOfDeletedRecordWithWrappingStore(t *testing.T) {
	sys := broker.New(wrappingStore{memstore.New()}, &broker.Options{Clock: clock, NewID: broker.SequentialIDs()})
	e, err := sys.Experts.Create(ctx, admin, broker.Expert{Name: "王教授"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sys.Experts.Delete(ctx, admin, e.ID, e.Version); err != nil {
		t.Fatal(err)
	}
	evs, err := sys.Events(ctx, admin, broker.KindExpert, e.ID)
	if err != nil || len(evs) != 2 || evs[1].Type != "deleted" {
		t.Errorf("events of a deleted expert: got %v, %v; want created and deleted", evs, err)
	}
	if _, err := sys.Events(ctx, broker.ExpertUser(e.ID), broker.KindExpert, e.ID); !errors.Is(err, broker.ErrNotFound) {
		t.Errorf("a deleted record's history for a non-admin: got %v, want ErrNotFound", err)
	}
}

// Messages say what is wrong in the reader's words, without repeated words
// (issue 20, item 8; issue 21, friction).
func TestMessages(t *testing.T) {
	sys := newSystem(t, nil)
	_, err := sys.Achievements.Update(ctx, admin, broker.Achievement{Meta: broker.Meta{ID: "ach-9", Version: 1}, Title: "x"})
	if got := err.Error(); got != "broker: update achievement ach-9: not found" {
		t.Errorf("update of a missing record: got %q", got)
	}
	leak := broker.FieldError{Field: "summary", Code: "leak", Param: "e-mail address", Value: "wang@example.com"}
	if got, want := leak.Message(language.English), `summary must not reveal contact data: it holds the e-mail address "wang@example.com"`; got != want {
		t.Errorf("leak message: got %q, want %q", got, want)
	}
	jsonl := `{"title":"网箱","asking_price":"12万"}` + "\n"
	rep, _ := sys.Achievements.Import(ctx, admin, strings.NewReader(jsonl), broker.ImportOptions{Format: broker.JSONLines})
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message(language.English), `is not a valid amount (a number, e.g. "1200000.00")`) {
		t.Errorf("a bad amount in JSON Lines: got %v", rep.Errors)
	}
	for _, w := range []string{"move case case", "decimal.Decimal", "a e-mail"} {
		for _, f := range rep.Errors {
			if strings.Contains(f.Message(language.English), w) {
				t.Errorf("message %q says %q", f.Message(language.English), w)
			}
		}
	}
}

// Import rows are numbered by input line (a CSV header is line 1), and a
// malformed row is reported once, as malformed, not also as missing every
// required field (issue 21, friction).
func TestImportRowNumbersAndMalformedRows(t *testing.T) {
	sys := newSystem(t, nil)
	data := "title,owner\n" +
		"网箱,上海海洋大学\n" +
		"只有一列\n" +
		",上海海洋大学\n"
	rep, err := sys.Achievements.Import(ctx, admin, strings.NewReader(data), broker.ImportOptions{})
	if !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	var got []string
	for _, f := range rep.Errors {
		got = append(got, fmt.Sprintf("%d:%s:%s", f.Row, f.Field, f.Code))
	}
	if want := []string{"3:row:malformed", "4:title:required"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("row errors: got %v, want %v", got, want)
	}
	jsonl := "{\"title\":\"甲\"}\n\n{\"title\":\n"
	rep, _ = sys.Achievements.Import(ctx, admin, strings.NewReader(jsonl), broker.ImportOptions{Format: broker.JSONLines})
	if len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Field != "row" {
		t.Errorf("a malformed JSON line: got %v, want one row error on line 3", rep.Errors)
	}
}

// Once the registry holds organizations, a record naming an unknown
// organization ID is refused, on Create and on Import (issue 21, friction).
func TestOrganizationIDsAreChecked(t *testing.T) {
	sys := newSystem(t, nil)
	if _, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "甲", OwnerID: "org-missing"}); err != nil {
		t.Fatalf("an empty registry checks nothing: %v", err)
	}
	o, err := sys.Organizations.Create(ctx, admin, broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "乙", OwnerID: "org-missing"})
	if got := fieldCodes(err); strings.Join(got, " ") != "owner_id:ref" {
		t.Errorf("unknown owner ID: got %v (%v), want owner_id:ref", got, err)
	}
	if _, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "丙", OwnerID: o.ID}); err != nil {
		t.Errorf("known owner ID: %v", err)
	}
	_, err = sys.Brokers.Create(ctx, admin, broker.IndustryBroker{Meta: broker.Meta{ID: "marine"}, Name: "海洋",
		Members: []broker.MemberUnit{{Name: "上海海洋大学", Kind: broker.University, OrgID: o.ID}, {Name: "别的", Kind: broker.University, OrgID: "org-x"}}})
	if got := fieldCodes(err); strings.Join(got, " ") != "members[1].org_id:ref" {
		t.Errorf("unknown member unit: got %v", got)
	}
	rep, _ := sys.Demands.Import(ctx, admin, strings.NewReader("title,enterprise,enterprise_id,problem\n需求,甲公司,org-nope,问题\n"), broker.ImportOptions{})
	if len(rep.Errors) != 1 || rep.Errors[0].Field != "enterprise_id" || rep.Errors[0].Code != "ref" || rep.Errors[0].Row != 2 {
		t.Errorf("import with an unknown enterprise ID: got %v", rep.Errors)
	}
}
