package assign

import (
	"github.com/kexie/techbroker/matching/assign/assigntest"
)

// randomDense builds a seeded dense instance: nI items, nE experts,
// uniform affinities in [0,1).
func randomDense(seed uint64, nI, nE, k, minLoad, maxLoad int) *Problem {
	return shaped(assigntest.Config{Shape: assigntest.Uniform, Items: nI, Experts: nE, Seed: seed}, k, minLoad, maxLoad)
}

// shaped builds a problem from a generated instance: dense, or with each
// item's TopK experts listed and the other pairs at affinity 0.
func shaped(c assigntest.Config, k, minLoad, maxLoad int) *Problem {
	in, err := assigntest.Generate(c)
	if err != nil {
		panic(err) // test configurations are fixed
	}
	return fromInstance(in, k, minLoad, maxLoad)
}

func fromInstance(in *assigntest.Instance, k, minLoad, maxLoad int) *Problem {
	p := &Problem{Experts: in.Experts, Items: in.Items, Affinity: in.Affinity,
		Cover: k, MinLoad: minLoad, MaxLoad: maxLoad}
	if in.Affinity == nil {
		p.Scores = make([]Score, len(in.Scores))
		for j, s := range in.Scores {
			p.Scores[j] = Score{Expert: s.Expert, Item: s.Item, Value: s.Value}
		}
	}
	for _, c := range in.Conflicts {
		p.Forbidden = append(p.Forbidden, Conflict{Expert: c.Expert, Item: c.Item, Reason: "generated"})
	}
	return p
}
