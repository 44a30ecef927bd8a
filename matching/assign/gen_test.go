package assign

import (
	"fmt"
	"math/rand/v2"
)

// randomDense builds a seeded dense instance: nI items, nE experts,
// uniform affinities in [0,1).
func randomDense(seed uint64, nI, nE, k, minLoad, maxLoad int) *Problem {
	rng := rand.New(rand.NewPCG(seed, seed))
	p := &Problem{Cover: k, MinLoad: minLoad, MaxLoad: maxLoad}
	p.Experts = make([]string, nE)
	for e := range p.Experts {
		p.Experts[e] = fmt.Sprintf("e%d", e)
	}
	p.Items = make([]string, nI)
	p.Affinity = make([][]float64, nI)
	flat := make([]float64, nI*nE)
	for i := range p.Items {
		p.Items[i] = fmt.Sprintf("i%d", i)
		p.Affinity[i] = flat[i*nE : (i+1)*nE : (i+1)*nE]
		for e := range p.Affinity[i] {
			p.Affinity[i][e] = rng.Float64()
		}
	}
	return p
}
