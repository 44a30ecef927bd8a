// Package creditcode validates the unified social credit code
// (统一社会信用代码) of GB 32100-2015, which identifies every legal person and
// other organization in China: universities, hospitals, enterprises,
// funds, societies.
//
// It is a pure package (no I/O, no state) so that importers, the broker
// organization registry and contract checks share one validator.
//
// # Format
//
// A code has 18 characters from the 31 symbols of [Alphabet]
// ("0123456789ABCDEFGHJKLMNPQRTUWXY": no I, O, S, V or Z):
//
//	position 1      registering authority (登记管理部门, e.g. 9 = market regulation)
//	position 2      organization kind (机构类别, e.g. 1 = enterprise under authority 9)
//	positions 3–8   administrative division code (GB/T 2260), digits
//	positions 9–17  organization code (GB 11714), its own check at 17
//	position 18     check character
//
// The check character: with symbol values v_i (the index in Alphabet) and
// weights w_i = 3^i mod 31 for i = 0…16 (1, 3, 9, 27, 19, 26, 16, 17, 20,
// 29, 25, 13, 8, 24, 10, 30, 28), check = (31 − Σ w_i·v_i mod 31) mod 31,
// written with the same symbols. The organization code's check (GB 11714):
// weights 3, 7, 9, 10, 5, 8, 4, 2 on its first eight characters (letters
// count 10–35), check = 11 − Σ mod 11, with 10 written X and 11 written 0.
//
// # Strict and lenient
//
// [Validate] is strict by default: the first problem is returned as an
// [*Error] naming the position, the character found and, for a check
// character, the character expected. Some codes issued early in pilot
// regions (e.g. Fujian codes whose organization part starts with M) are
// legal yet fail a check: [Options.Lenient] accepts them and lists the
// mismatches in [Code.Warnings]. Neither mode ever "corrects" a code:
// the expected check character is reported, not substituted. [Normalize]
// only folds full-width characters and letter case.
//
// # Characters, not bytes
//
// Validate takes the code exactly as given and does not fold width: a
// full-width "９" is a bad symbol, reported at its position, and the
// message says that Normalize would fold it. Lengths and positions are
// counted in characters (Unicode code points; an invalid UTF-8 byte counts
// as one), so "９1310110MA1FL8PQ0G" has 18 characters and its first is
// wrong. Call Normalize on user input first, as the broker's organization
// registry does; Validate(Normalize(s), nil) accepts that code.
//
// The authority and kind characters (positions 1–2) are not checked
// against a table: the standard's tables have grown since 2015, and an
// unknown pair is not evidence of a wrong code.
package creditcode
