package assign

import (
	"errors"
	"fmt"
	"slices"
)

// ErrNotOptimal is wrapped by the errors [Result.Verify] returns.
var ErrNotOptimal = errors.New("assign: result not proven")

// Verify checks r against p independently of how r was computed: the
// panels respect coverage, loads, forbidden and forced pairs (and the
// fairness threshold, if any), Objective matches the panels, and the
// certificate's reduced costs satisfy complementary slackness on every
// allowed pair and every expert. Together these prove that r maximizes total
// affinity (at precision 1/Scale) among assignments that use no free pair
// below the threshold. It takes O(items × experts) time.
func (r *Result) Verify(p *Problem) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrNotOptimal, fmt.Sprintf(format, args...))
	}
	if err := p.validate(); err != nil {
		return err
	}
	c := r.Certificate
	in, err := newInstance(p, Options{Scale: c.Scale, Candidates: 1})
	if err != nil {
		return err
	}
	in.threshold = c.Threshold
	nI, nE := in.nI, in.nE
	if len(r.Panels) != nI || len(c.Item) != nI || len(c.Expert) != nE {
		return fail("result shaped for %d items, %d experts; problem has %d, %d", len(r.Panels), len(c.Expert), nI, nE)
	}
	row := newRowBuf(nE)
	inPanel := make([]int32, nE)
	load := make([]int, nE)
	freeLoad := make([]int32, nE)
	var obj int64
	for i, panel := range r.Panels {
		if len(panel) != p.cover(i) {
			return fail("item %q has %d experts, want %d", p.Items[i], len(panel), p.cover(i))
		}
		stamp := int32(i + 1)
		for _, e := range panel {
			if e < 0 || e >= nE {
				return fail("item %q: expert index %d out of range", p.Items[i], e)
			}
			if inPanel[e] == stamp {
				return fail("item %q: expert %q twice", p.Items[i], p.Experts[e])
			}
			inPanel[e] = stamp
			load[e]++
		}
		for _, e := range in.forced[i] {
			if inPanel[e] != stamp {
				return fail("item %q: forced expert %q missing", p.Items[i], p.Experts[e])
			}
		}
		in.row(i, row)
		for _, e := range panel {
			obj -= costOf(p.affinity(i, e, in.sparse), in.scale)
			if slices.Contains(in.forced[i], int32(e)) {
				continue
			}
			if !row.ok[e] {
				return fail("item %q: expert %q is not allowed (forbidden, unlisted or below threshold)", p.Items[i], p.Experts[e])
			}
			freeLoad[e]++
		}
		for e, ok := range row.ok {
			if !ok {
				continue
			}
			rc := row.cost[e] + c.Item[i] - c.Expert[e]
			if inPanel[e] == stamp && rc > 0 {
				return fail("assigned pair (%q, %q) has reduced cost %d > 0", p.Experts[e], p.Items[i], rc)
			}
			if inPanel[e] != stamp && rc < 0 {
				return fail("unassigned pair (%q, %q) has reduced cost %d < 0", p.Experts[e], p.Items[i], rc)
			}
		}
	}
	for e := range nE {
		l := p.load(e)
		if load[e] < l.Min || load[e] > l.Max {
			return fail("expert %q has load %d outside [%d, %d]", p.Experts[e], load[e], l.Min, l.Max)
		}
		if r.Load != nil && r.Load[e] != load[e] {
			return fail("expert %q: Load says %d, panels say %d", p.Experts[e], r.Load[e], load[e])
		}
		rc := c.Expert[e] - c.Sink
		if freeLoad[e] < in.hi[e] && rc < 0 {
			return fail("expert %q below maximum load has load-arc reduced cost %d < 0", p.Experts[e], rc)
		}
		if freeLoad[e] > in.lo[e] && rc > 0 {
			return fail("expert %q above minimum load has load-arc reduced cost %d > 0", p.Experts[e], rc)
		}
	}
	if obj != r.Objective {
		return fail("Objective is %d, panels give %d", r.Objective, obj)
	}
	return nil
}
