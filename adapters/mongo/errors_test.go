package mongo_test

import (
	"context"
	"errors"
	"testing"

	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/ports"
)

// TestTranslateUnavailable: the errors of a deployment in a failover, including a
// write concern timeout (64) and a shard without a primary (133), wrap
// ErrUnavailable (503, retry later); a refused write does not.
func TestTranslateUnavailable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"write concern timeout", driver.WriteException{WriteConcernError: &driver.WriteConcernError{Code: 64, Message: "waiting for replication timed out"}}, true},
		{"no shard primary", driver.CommandError{Code: 133, Message: "could not find host matching read preference"}, true},
		{"not writable primary", driver.CommandError{Code: 10107, Message: "not primary"}, true},
		{"document failed validation", driver.WriteException{WriteErrors: driver.WriteErrors{{Code: 121, Message: "Document failed validation"}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := mongo.Translate(context.Background(), "set password", c.err)
			if got := errors.Is(err, ports.ErrUnavailable); got != c.want {
				t.Fatalf("translate(%v) = %v; unavailable %v, want %v", c.err, err, got, c.want)
			}
		})
	}
}
