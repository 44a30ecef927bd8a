package match_test

import (
	"testing"

	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/match/indextest"
)

// TestEngineIndexConformance runs the index suite on the built-in index.
func TestEngineIndexConformance(t *testing.T) {
	indextest.Run(t, func(t *testing.T) match.Index {
		x, err := match.NewEngineIndex(nil)
		if err != nil {
			t.Fatal(err)
		}
		return x
	})
}
