// Package money formats amounts of Chinese yuan (CNY), held as
// [decimal.Decimal], for people to read.
//
// # Chinese
//
// [FormatZH] picks the unit from the size of the amount:
//
//   - |x| ≥ 1亿 (10^8): the amount in 亿元, e.g. 415,000,000 → "4.15亿元";
//   - |x| ≥ 1万 (10^4): the amount in 万元, e.g. 35,000,000 → "3500万元";
//   - otherwise in 元, e.g. 1234.5 → "1234.5元".
//
// The value in the chosen unit is rounded to two decimals and trailing zeros
// are trimmed ("3.50" → "3.5", "3500.00" → "3500"). Chinese amounts carry no
// thousands separators. The unit is chosen after rounding, so 99,999,999 yuan,
// which rounds to 10000.00万, is written "1亿元" rather than "10000万元".
//
// # English
//
// [FormatEN] writes "CNY 415.00 million", "CNY 3.50 million",
// "CNY 1.20 billion" and, below one million, "CNY 35,000.00": always two
// decimals, comma thousands separators, millions for |x| ≥ 10^6 and billions
// for |x| ≥ 10^9 (again chosen after rounding). The separators are inserted
// into the exact decimal string rather than via golang.org/x/text/message,
// whose number formatting goes through float64 and could change digits of
// large amounts.
//
// # Rounding and signs
//
// Rounding is half away from zero (四舍五入), done explicitly with
// [decimal.Decimal.Round]; the package never touches decimal's global
// settings and the input is exact, so no float conversion takes place.
// A negative amount keeps its minus sign in front of the number:
// "-4.15亿元", "CNY -3.50 million". An amount that rounds to zero is written
// without a sign ("0元", "CNY 0.00").
//
// [Format] chooses by language tag: Chinese tags (zh, zh-Hans, zh-TW, …) use
// [FormatZH]; every other tag uses [FormatEN].
package money
