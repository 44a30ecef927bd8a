package assessment

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Direction says whether more of an indicator is better (Benefit) or worse
// (Cost). The zero value is invalid, so a forgotten direction is caught.
type Direction int

const (
	Benefit Direction = 1  // more is better (正向指标)
	Cost    Direction = -1 // less is better (逆向指标)
)

// String returns "benefit" or "cost".
func (d Direction) String() string {
	switch d {
	case Benefit:
		return "benefit"
	case Cost:
		return "cost"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// MarshalJSON writes "benefit" or "cost".
func (d Direction) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts "benefit", "cost", 1 or -1.
func (d *Direction) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "benefit":
			*d = Benefit
			return nil
		case "cost":
			*d = Cost
			return nil
		}
		return fmt.Errorf("assessment: direction %q: want \"benefit\" or \"cost\"", s)
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil || (n != 1 && n != -1) {
		return fmt.Errorf("assessment: direction %s: want \"benefit\", \"cost\", 1 or -1", b)
	}
	*d = Direction(n)
	return nil
}

func (d Direction) valid() bool { return d == Benefit || d == Cost }

// Indicator describes one measured quantity.
type Indicator struct {
	ID        string    `json:"id"`
	NameZH    string    `json:"name_zh"`
	NameEN    string    `json:"name_en"`
	Unit      string    `json:"unit,omitempty"`    // e.g. "项", "万元", "%"
	UnitEN    string    `json:"unit_en,omitempty"` // English unit, when it differs
	Direction Direction `json:"direction"`
	Group     string    `json:"group,omitempty"`
}

// Entity is what is assessed: a broker, a region, an institution.
// Group names its peer group for MissingImputeGroupMean; entities with an
// empty Group form one group.
type Entity struct {
	ID     string `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Group  string `json:"group,omitempty"`
}

// MissingPolicy says what to do with an absent value. Missing values are
// never read as zero.
type MissingPolicy string

const (
	// MissingError fails with a *MissingValueError naming the first gap.
	MissingError MissingPolicy = "error"
	// MissingSkip drops every entity that lacks any value in the period and
	// lists it in Matrix.Skipped.
	MissingSkip MissingPolicy = "skip"
	// MissingImputeGroupMean fills a gap with the mean of the same indicator
	// over the entities of the same peer group (Entity.Group) that have a
	// value in the period; it fails with a *MissingValueError when none has.
	// Imputed cells are flagged in Matrix.Imputed.
	MissingImputeGroupMean MissingPolicy = "impute-group-mean"
)

func (p MissingPolicy) valid() bool {
	return p == MissingError || p == MissingSkip || p == MissingImputeGroupMean
}

type cell struct{ period, entity, indicator string }

// Dataset holds indicator values per entity per period. Create it with
// NewDataset; it is not safe for concurrent writes.
type Dataset struct {
	Indicators []Indicator
	Entities   []Entity
	Periods    []string // in time order
	values     map[cell]float64
}

// NewDataset checks that identifiers are non-empty and unique and that
// every indicator has a direction.
func NewDataset(indicators []Indicator, entities []Entity, periods []string) (*Dataset, error) {
	ve := &ValidationError{}
	seen := map[string]bool{}
	for i, ind := range indicators {
		f := fmt.Sprintf("indicators[%d]", i)
		if ind.ID == "" {
			ve.add(f+".id", "empty id", "标识为空")
		} else if seen[ind.ID] {
			ve.add(f+".id", fmt.Sprintf("duplicate id %q", ind.ID), fmt.Sprintf("标识 %q 重复", ind.ID))
		}
		seen[ind.ID] = true
		if !ind.Direction.valid() {
			ve.add(f+".direction", "direction must be benefit or cost", "方向须为正向（benefit）或逆向（cost）")
		}
	}
	clear(seen)
	for i, e := range entities {
		f := fmt.Sprintf("entities[%d].id", i)
		if e.ID == "" {
			ve.add(f, "empty id", "标识为空")
		} else if seen[e.ID] {
			ve.add(f, fmt.Sprintf("duplicate id %q", e.ID), fmt.Sprintf("标识 %q 重复", e.ID))
		}
		seen[e.ID] = true
	}
	clear(seen)
	for i, p := range periods {
		f := fmt.Sprintf("periods[%d]", i)
		if p == "" {
			ve.add(f, "empty period", "期间为空")
		} else if seen[p] {
			ve.add(f, fmt.Sprintf("duplicate period %q", p), fmt.Sprintf("期间 %q 重复", p))
		}
		seen[p] = true
	}
	if err := ve.orNil(); err != nil {
		return nil, err
	}
	return &Dataset{
		Indicators: slices.Clone(indicators),
		Entities:   slices.Clone(entities),
		Periods:    slices.Clone(periods),
		values:     map[cell]float64{},
	}, nil
}

// Set records a value. Unknown identifiers and non-finite values are
// errors wrapping ErrInvalid.
func (d *Dataset) Set(period, entity, indicator string, v float64) error {
	if !slices.Contains(d.Periods, period) {
		return fmt.Errorf("%w: unknown period %q", ErrInvalid, period)
	}
	if d.entityIndex(entity) < 0 {
		return fmt.Errorf("%w: unknown entity %q", ErrInvalid, entity)
	}
	if d.indicatorIndex(indicator) < 0 {
		return fmt.Errorf("%w: unknown indicator %q", ErrInvalid, indicator)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: period %q, entity %q, indicator %q: value %g is not finite", ErrInvalid, period, entity, indicator, v)
	}
	d.values[cell{period, entity, indicator}] = v
	return nil
}

// Value returns the recorded value and whether there is one.
func (d *Dataset) Value(period, entity, indicator string) (float64, bool) {
	v, ok := d.values[cell{period, entity, indicator}]
	return v, ok
}

func (d *Dataset) entityIndex(id string) int {
	return slices.IndexFunc(d.Entities, func(e Entity) bool { return e.ID == id })
}

func (d *Dataset) indicatorIndex(id string) int {
	return slices.IndexFunc(d.Indicators, func(i Indicator) bool { return i.ID == id })
}

// Matrix is one period's values: one row per entity, one column per
// indicator.
type Matrix struct {
	Period     string
	Entities   []Entity
	Indicators []Indicator
	Values     [][]float64
	Imputed    [][]bool // true where MissingImputeGroupMean filled the cell
	Skipped    []string // IDs of entities dropped by MissingSkip
}

// Directions returns the indicators' directions, in column order.
func (m *Matrix) Directions() []Direction {
	out := make([]Direction, len(m.Indicators))
	for j, ind := range m.Indicators {
		out[j] = ind.Direction
	}
	return out
}

// Matrix extracts one period under the given missing-value policy.
func (d *Dataset) Matrix(period string, policy MissingPolicy) (*Matrix, error) {
	if !slices.Contains(d.Periods, period) {
		return nil, fmt.Errorf("%w: unknown period %q", ErrInvalid, period)
	}
	if !policy.valid() {
		return nil, fmt.Errorf("%w: unknown missing-value policy %q", ErrInvalid, policy)
	}
	out := &Matrix{Period: period, Indicators: slices.Clone(d.Indicators)}
	for _, e := range d.Entities {
		row := make([]float64, len(d.Indicators))
		imp := make([]bool, len(d.Indicators))
		complete := true
		for j, ind := range d.Indicators {
			v, ok := d.values[cell{period, e.ID, ind.ID}]
			if ok {
				row[j] = v
				continue
			}
			switch policy {
			case MissingError:
				return nil, &MissingValueError{Period: period, Entity: e.ID, Indicator: ind.ID}
			case MissingSkip:
				complete = false
			case MissingImputeGroupMean:
				m, ok := d.groupMean(period, e.Group, ind.ID)
				if !ok {
					return nil, &MissingValueError{Period: period, Entity: e.ID, Indicator: ind.ID}
				}
				row[j], imp[j] = m, true
			}
		}
		if !complete {
			out.Skipped = append(out.Skipped, e.ID)
			continue
		}
		out.Entities = append(out.Entities, e)
		out.Values = append(out.Values, row)
		out.Imputed = append(out.Imputed, imp)
	}
	return out, nil
}

func (d *Dataset) groupMean(period, group, indicator string) (float64, bool) {
	var sum float64
	var n int
	for _, e := range d.Entities {
		if e.Group != group {
			continue
		}
		if v, ok := d.values[cell{period, e.ID, indicator}]; ok {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// Series returns one entity's values of every indicator over all periods:
// rows are periods, columns indicators. Under MissingSkip, periods with a
// gap are dropped and returned in skipped; MissingImputeGroupMean uses the
// entity's peer group in the same period.
func (d *Dataset) Series(entity string, policy MissingPolicy) (periods []string, values [][]float64, skipped []string, err error) {
	i := d.entityIndex(entity)
	if i < 0 {
		return nil, nil, nil, fmt.Errorf("%w: unknown entity %q", ErrInvalid, entity)
	}
	if !policy.valid() {
		return nil, nil, nil, fmt.Errorf("%w: unknown missing-value policy %q", ErrInvalid, policy)
	}
	e := d.Entities[i]
	for _, p := range d.Periods {
		row := make([]float64, len(d.Indicators))
		complete := true
		for j, ind := range d.Indicators {
			v, ok := d.values[cell{p, e.ID, ind.ID}]
			if ok {
				row[j] = v
				continue
			}
			switch policy {
			case MissingError:
				return nil, nil, nil, &MissingValueError{Period: p, Entity: e.ID, Indicator: ind.ID}
			case MissingSkip:
				complete = false
			case MissingImputeGroupMean:
				m, ok := d.groupMean(p, e.Group, ind.ID)
				if !ok {
					return nil, nil, nil, &MissingValueError{Period: p, Entity: e.ID, Indicator: ind.ID}
				}
				row[j] = m
			}
		}
		if !complete {
			skipped = append(skipped, p)
			continue
		}
		periods = append(periods, p)
		values = append(values, row)
	}
	return periods, values, skipped, nil
}
