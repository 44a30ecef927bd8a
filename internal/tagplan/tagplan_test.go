package tagplan_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/kexie/techbroker/internal/tagplan"
)

func TestDeclines(t *testing.T) {
	type email struct {
		Mail string `validate:"omitempty,email"`
	}
	type alternatives struct {
		Code string `validate:"len=2|len=3"`
	}
	type taggedStruct struct {
		When time.Time `validate:"required"`
	}
	var c tagplan.Cache
	for _, x := range []any{email{}, alternatives{}, taggedStruct{}} {
		if p := tagplan.Compile(reflect.TypeOf(x)); p != nil {
			t.Errorf("%T: got a plan, want none", x)
		}
		if c.Passes(x) {
			t.Errorf("%T: Passes vouched for a type it has no plan for", x)
		}
	}
	type plain struct {
		Name string `validate:"required,max=3"`
	}
	if c.Passes(nil) || c.Passes((*plain)(nil)) || c.Passes("text") {
		t.Error("Passes vouched for a nil or non-struct value")
	}
	if !c.Passes(plain{Name: "王海"}) || c.Passes(plain{Name: "王海洋号"}) || c.Passes(plain{}) {
		t.Error("Passes disagrees with the tags of a plain struct")
	}
}
