package memstore_test

import (
	"testing"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/drivertest"
	"github.com/kexie/techbroker/broker/memstore"
)

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, func(t *testing.T) driver.Store { return memstore.New() })
}

func BenchmarkStore(b *testing.B) {
	drivertest.RunBenchmarks(b, func(b *testing.B) driver.Store { return memstore.New() })
}
