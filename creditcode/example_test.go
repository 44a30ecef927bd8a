package creditcode_test

import (
	"errors"
	"fmt"

	"github.com/kexie/techbroker/creditcode"
)

func ExampleValidate() {
	c, err := creditcode.Validate(creditcode.Normalize(" 91350100m000100y43 "), nil)
	fmt.Println(c.Value, c.Division, c.OrgCode, err)

	_, err = creditcode.Validate("91350100M000100Y42", nil)
	var e *creditcode.Error
	if errors.As(err, &e) {
		fmt.Println(e.Position, e.Char, e.Want)
	}
	fmt.Println(err)
	// Output:
	// 91350100M000100Y43 350100 M000100Y4 <nil>
	// 18 2 3
	// creditcode: "91350100M000100Y42": position 18: check character is "2", want "3"
}

func ExampleOptions_lenient() {
	// Strict validation refuses a code whose check character does not match;
	// lenient validation accepts it as given and says what did not match.
	code := "91350100M000100Y42"
	c, err := creditcode.Validate(code, &creditcode.Options{Lenient: true})
	fmt.Println(c.Value, err)
	for _, w := range c.Warnings {
		fmt.Println("warning:", w.Reason, "at", w.Position)
	}
	// Output:
	// 91350100M000100Y42 <nil>
	// warning: check at 18
}

func ExampleNormalize() {
	// Validate takes a code as given: a full-width digit is a bad symbol at
	// its position. Normalize folds width and case first.
	code := "９1310110MA1FL8PQ0G"
	_, err := creditcode.Validate(code, nil)
	fmt.Println(err)
	c, err := creditcode.Validate(creditcode.Normalize(code), nil)
	fmt.Println(c.Value, err)
	// Output:
	// creditcode: "９1310110MA1FL8PQ0G": position 1: "９" is not a code symbol (0-9 and A-Y without I, O, S, V, Z); it is a full-width character: Normalize folds it to "9"
	// 91310110MA1FL8PQ0G <nil>
}
