package smtptest_test

import (
	"fmt"
	"testing"

	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
)

// TestEndsAtOnce: a test that ends as soon as its server is up (no client ever
// connects) ends, its server stopped, however early its goroutine began to serve.
// It used to hang for ever when the test's cleanup ran first.
func TestEndsAtOnce(t *testing.T) {
	for i := range 50 {
		t.Run(fmt.Sprint(i), func(t *testing.T) { smtptest.Start(t, smtptest.Options{NoTLS: i%2 == 0}) })
	}
}
