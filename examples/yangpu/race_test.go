//go:build race

package main

// raceDetector is true when the tests run under -race, which slows the
// simulation about sixfold; the 10-seed sweep, which checks figures rather
// than concurrency, then runs only without it.
const raceDetector = true
