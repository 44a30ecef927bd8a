package assessment_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/assessment/assessmenttest"
)

// FuzzLoadScheme: loading never panics, and a scheme that loads can score
// the sample brokers without panicking.
func FuzzLoadScheme(f *testing.F) {
	def, err := json.Marshal(assessment.DefaultScheme())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	f.Add([]byte(`{"id":"x","name_en":"x","groups":[{"id":"g","weight":1,"indicators":[{"id":"a","metric":"deals","weight":1}]}]}`))
	f.Add([]byte(`{"id":"x","name_en":"x","normalization":"target","groups":[{"id":"g","weight":1,"indicators":[{"id":"a","metric":"conversion:collected:traded","weight":1,"target":50}]}],"grading":{"method":"thresholds","labels":["A","B"],"thresholds":[0.5]}}`))
	stats := assessmenttest.SevenBrokers("2024")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := assessment.LoadScheme(bytes.NewReader(b))
		if err != nil {
			return
		}
		sc, err := s.Score(stats)
		if err != nil {
			return
		}
		for _, br := range sc.Entities {
			if br.Total < -1e-9 || br.Total > s.MaxPoints()+1e-6 {
				t.Fatalf("%s: total %g outside [0, %g]", br.ID, br.Total, s.MaxPoints())
			}
		}
	})
}
