package analysis

import (
	"encoding/binary"
	"hash/fnv"
	"maps"
	"slices"
)

// rulesVersion is the version of this package's analysis rules
// (normalization, tokenization, keys). Change it whenever some text's
// terms change, so that a model or index saved under the former rules is
// refused rather than misread (see Fingerprint).
const rulesVersion = 1

// Fingerprint returns a 64-bit FNV-1a hash of everything that decides the
// terms of a text: the version of this package's analysis rules, whether
// CJK unigrams and bigrams are emitted, the stop words and the synonym
// groups (normalized, in a canonical order, so that the order in which
// Options lists them does not matter). Analyzers with equal fingerprints
// emit the same terms for every text (up to a hash collision), so a model
// or an index saved with one can be used with the other: a saved
// router.Router (package matching/router) records it and is refused by an
// analyzer with another.
func (a *Analyzer) Fingerprint() uint64 {
	h := fnv.New64a()
	var buf []byte
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	buf = binary.AppendUvarint(buf, rulesVersion)
	var flags byte
	if a.unigrams {
		flags |= 1
	}
	if a.bigrams {
		flags |= 2
	}
	buf = append(buf, flags)
	stop := slices.Collect(maps.Keys(a.stop))
	for _, r := range a.stopRunes {
		stop = append(stop, string(r))
	}
	slices.Sort(stop)
	buf = binary.AppendUvarint(buf, uint64(len(stop)))
	for _, w := range stop {
		str(w)
	}
	groups := make([][]string, len(a.groups))
	for i, g := range a.groups {
		groups[i] = slices.Sorted(slices.Values(g))
	}
	slices.SortFunc(groups, slices.Compare[[]string])
	buf = binary.AppendUvarint(buf, uint64(len(groups)))
	for _, g := range groups {
		buf = binary.AppendUvarint(buf, uint64(len(g)))
		for _, m := range g {
			str(m)
		}
	}
	h.Write(buf)
	return h.Sum64()
}
