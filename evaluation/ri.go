package evaluation

// RandomIndexTable names a published table of random consistency indices
// RI(n), the mean consistency index of random reciprocal matrices of order n.
// The tables differ because they were simulated differently; the choice is
// the caller's. The zero value "" means Saaty1980.
type RandomIndexTable string

// The random-index tables. Values for n = 3…15 are as listed in
// REFERENCE.md ("Numeric conventions"); n = 1 and n = 2 have RI = 0.
const (
	// Saaty1980 is Saaty (1980), The Analytic Hierarchy Process, the table
	// of most Chinese textbooks (n ≤ 11; larger n is refused because
	// sources disagree beyond 11).
	Saaty1980 RandomIndexTable = "saaty1980"
	// Saaty2005 is the table in Saaty's later books (2005/2008), n ≤ 15.
	Saaty2005 RandomIndexTable = "saaty2005"
	// DoneganDodd is Donegan & Dodd (1991), n ≤ 50, with linear
	// interpolation between the published points beyond 15
	// (16–20, 25, 30, 40, 50).
	DoneganDodd RandomIndexTable = "donegan-dodd"
	// TummalaLing is Tummala & Ling (1998), n ≤ 15.
	TummalaLing RandomIndexTable = "tummala-ling"
	// AlonsoLamata is Alonso & Lamata (2006): the table for n ≤ 15 and
	// their fitted formula RI = (1.7699 n − 4.3513)/(n − 1) for n ≥ 16.
	AlonsoLamata RandomIndexTable = "alonso-lamata"
	// GongXu is the 龚木森–许树柏 (1986) table common in Chinese papers,
	// n ≤ 15.
	GongXu RandomIndexTable = "gong-xu"
)

// riTables holds RI for n = 3…15 (index n-3). Saaty 1980 stops at 11.
var riTables = map[RandomIndexTable][]float64{
	Saaty1980:    {0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51},
	Saaty2005:    {0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59},
	DoneganDodd:  {0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643, 1.4822, 1.4969},
	TummalaLing:  {0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882, 1.5117, 1.5356, 1.5571, 1.5714, 1.5831},
	AlonsoLamata: {0.5247, 0.8816, 1.1086, 1.2479, 1.3417, 1.4057, 1.4499, 1.4854, 1.5140, 1.5365, 1.5551, 1.5713, 1.5838},
	GongXu:       {0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59},
}

// doneganDoddTail holds Donegan–Dodd's published values beyond n = 15.
var doneganDoddTail = []struct {
	n  int
	ri float64
}{
	{15, 1.4969}, {16, 1.5078}, {17, 1.5153}, {18, 1.5262}, {19, 1.5313},
	{20, 1.5371}, {25, 1.5619}, {30, 1.5772}, {40, 1.5976}, {50, 1.6102},
}

func (t RandomIndexTable) known() bool {
	_, ok := riTables[t]
	return ok
}

// RandomIndex returns RI(n) from table t ("" means Saaty1980). It returns a
// *RandomIndexError when the table is unknown or has no value for n
// (including n < 1).
func RandomIndex(t RandomIndexTable, n int) (float64, error) {
	if t == "" {
		t = Saaty1980
	}
	vals, ok := riTables[t]
	if !ok || n < 1 {
		return 0, &RandomIndexError{Table: t, N: n}
	}
	if n <= 2 {
		return 0, nil
	}
	if n-3 < len(vals) {
		return vals[n-3], nil
	}
	switch t {
	case AlonsoLamata:
		fn := float64(n)
		return (1.7699*fn - 4.3513) / (fn - 1), nil
	case DoneganDodd:
		for i := 1; i < len(doneganDoddTail); i++ {
			lo, hi := doneganDoddTail[i-1], doneganDoddTail[i]
			if n <= hi.n {
				f := float64(n-lo.n) / float64(hi.n-lo.n)
				return lo.ri + f*(hi.ri-lo.ri), nil
			}
		}
	}
	return 0, &RandomIndexError{Table: t, N: n}
}
