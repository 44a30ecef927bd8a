// Package broker is the core of a technology-transfer broker platform: the
// System that users call, the three libraries (achievements 成果库, demands
// 需求库, experts 专家库), the industry brokers (样板间), organizations,
// societies (学会), cases of the broker service chain, the demand closed
// loop, staff, feedback and import — and the one transaction that every
// write of the System and of its feature packages goes through.
//
// # The System and its transaction
//
//	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, nil)
//	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "…"})
//	err = sys.Update(ctx, func(tx *broker.Tx) error { … broker.Replace(tx, p, v) … })
//
// A record type is a struct embedding Meta with a RecordKind method (Record);
// optional interfaces add normalization, checks, a private part, owners, a
// de-duplication key, a stage and its access class. The record operations on
// a Tx (Get, Read, Create, Replace, Delete, List, Find) do for every kind, in
// one place: stamp IDs, versions and times, normalize, validate (struct tags
// with go-playground/validator, then the record's own checks), ask the access
// policy, encode, and append the audit event. System.Update retries only when
// the store reports a stale version (ErrStale from a concurrent transaction);
// a refusal of the record's state (ErrConflict), bad input (ErrInvalid) or a
// forbidden action (ErrForbidden) is returned at once. Version 0 means
// "missing" in every call.
//
// # Access
//
// One table (Rules, in policy.go) of role × action × class × visibility tier
// decides every read, write and operation; List consults it before a page is
// cut, so a page is never short because hidden records were dropped.
// PolicyMatrix prints it whole.
//
// # Feature packages
//
// The exchange (挂牌, auctions, deals, ledger) is broker/exchange; the
// activity platform (路演, registrations, meetings, leads, platform
// statistics) broker/activity; capital (investors, incubation)
// broker/capital; cross-regional federation (agreements, workstations)
// broker/federation; expert review (评审) broker/review; the whole
// replicable model (蓝图, 复制推广) broker/blueprint. Each uses only this
// package's exported API, never broker/driver.
//
// # Layers
//
// Pure rules (contract, policy, creditcode, money) and pure math (evaluation,
// assessment, matching) import nothing of broker. broker/driver is what a
// store implements; broker/memstore, sqlitestore and pgstore import only it
// and their database package. This package imports the driver and the pure
// packages; feature packages import this package; examples import any of
// them. System.As is the one escape hatch to the store beneath.
//
// # Text, money and errors
//
// Text is normalized on write (NFKC, width folding, white space collapsed;
// lists de-duplicated case-insensitively, codes upper-cased). Money is
// decimal.Decimal holding yuan, at most 2 decimal places and 1万亿; absurd
// values are refused before any arithmetic. Errors are *Error values carrying
// the operation, kind and ID and matching one sentinel; a *ValidationError
// lists every bad field and renders in Chinese or English (Localize).
package broker
