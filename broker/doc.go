// Package broker is the domain of a technology-transfer broker platform:
// the three libraries (achievements 成果库, demands 需求库, experts 专家库),
// the industry brokers (样板间) and the System that users call.
//
// # The System
//
// A System holds the libraries over one storage adapter (see package
// broker/driver; broker/memstore is the in-memory default):
//
//	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, nil)
//	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "…"})
//
// Every write is normalized and validated; IDs, versions and times are
// assigned by the System (with an injected clock and ID source); every
// change writes an audit event in the same transaction; and every call takes
// the acting Principal explicitly.
//
// # Normalization
//
// Text is normalized on write with golang.org/x/text: Unicode NFKC (which
// folds full-width ASCII such as "ＰＭ２．５" to "PM2.5"), width folding, white
// space collapsed and trimmed, invalid UTF-8 replaced. Keyword and code lists
// are de-duplicated case-insensitively; codes are upper-cased.
//
// # Validation
//
// One validator.Validate (go-playground/validator/v10) per System checks
// the struct tags; the record types add checks of their own (money is
// well-formed and not negative, a budget's max is not below its min, a
// readiness level lies on its scale, inventors' shares add up to at most
// 100%, codes are on the configured code lists). A bad record returns a
// *ValidationError listing every bad field; it matches ErrInvalid, and
// Localize renders it in Chinese or English (golang.org/x/text/message).
//
// # Money
//
// Money is decimal.Decimal holding yuan, with at most 2 decimal places (分)
// and at most 1万亿. Absurd values (say 1e999999) are rejected before any
// arithmetic.
//
// # Concurrency
//
// Updates are optimistic: Update names the version it read and gets
// ErrConflict if the record changed since, never a silent overwrite.
// Library.Modify retries a read-modify-write for you.
//
// # Access
//
// Visibility tiers: Public records are seen by all, Members records by any
// signed-in principal, Confidential ones only by their owner, the handling
// industry broker's staff and platform admins. An expert's Contact is
// personal data, returned only to the expert and to platform admins. Denied
// calls return ErrForbidden and write nothing.
//
// # Import
//
// Library.Import reads CSV (a header row of JSON field names; lists
// separated by ";", money with 元/万元/亿元, enumerations by code or
// Chinese name) or JSON Lines. It reports every bad field with its row,
// writes nothing when a row is bad unless asked to import the good rows,
// and finds duplicates by normalized title and owner, which it reports or
// merges.
//
// # Errors
//
// Errors are *Error values carrying the operation, kind and ID, unwrapping
// to the cause and to one of ErrNotFound, ErrExists, ErrConflict,
// ErrInvalid or ErrForbidden.
package broker
