// Package analysis turns text into index terms for Chinese and mixed
// Chinese/Latin technical writing.
//
// # Normalization
//
// [Normalize] applies Unicode NFKC, width folding and full case folding
// (golang.org/x/text), so that "ＰＭ２．５", "PM2.5" and "pm2.5" become the same
// string. Invalid UTF-8 is replaced by U+FFFD first. The result is a fixed
// point: Normalize(Normalize(s)) == Normalize(s). A fast path handles ASCII,
// full-width ASCII and CJK ideographs without calling the transformers.
//
// # Tokens
//
// An [Analyzer] emits, from normalized text:
//
//   - for runs of Chinese (and Japanese, Korean) characters: every character
//     as a unigram and every pair of adjacent characters as a bigram, which
//     retrieves about as well as a dictionary segmenter without shipping a
//     dictionary;
//   - for runs of letters and digits: words, keeping inner "." and "-" so
//     that "5G", "PM2.5" and "Li-ion" stay whole (a hyphenated word also
//     emits its parts, "li" and "ion");
//   - for each synonym group matched in the text, every member of the group
//     as a whole term, so that a query for 人工智能 matches a document that
//     says AI and the other way round. Apply the same analyzer at index and
//     at query time.
//
// Stop words are dropped (single characters such as 的 and short English
// function words by default; see [DefaultStopWords]).
//
// # Keys for indexes
//
// [Analyzer.AppendKeys] gives the same terms as [Analyzer.AppendTokens],
// but a term of one or two runes comes as an integer ([TermKey]) and no
// token is built: for text whose runes normalize independently of their
// neighbours (nearly all Chinese technical text) it normalizes, tokenizes
// and packs in one pass, several times faster; other text goes through
// AppendTokens. An index counts terms with it.
//
// # Fingerprints
//
// [Analyzer.Fingerprint] hashes everything that decides the terms (the
// package's rules version, the unigram and bigram settings, the stop words
// and synonym groups), so that a model saved with one analyzer can check
// that it is read with an equivalent one.
//
// # Concurrency
//
// An Analyzer is immutable after [New] and safe for concurrent use. It never
// panics on any input.
package analysis
