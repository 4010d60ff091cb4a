package smtp_test

import (
	"context"
	"testing"

	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
)

// BenchmarkDelivery sends messages one after another to smtptest, over STARTTLS
// with a login, and reports messages per second and connections opened per
// message: through one kept connection, pipelined with the message as BDAT (one
// round trip), pipelined with DATA (two), or one command at a time (five, with
// the RSET between messages); and over a new connection for each message (as
// before the pool: dial, EHLO, STARTTLS, EHLO, AUTH, then QUIT).
func BenchmarkDelivery(b *testing.B) {
	for _, c := range []struct {
		name                     string
		noPipelining, noChunking bool
		fresh                    bool
	}{
		{"pooled, pipelined, BDAT", false, false, false},
		{"pooled, pipelined, DATA", false, true, false},
		{"pooled, a command at a time", true, true, false},
		{"new connection per message", false, false, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := smtptest.Start(b, smtptest.Options{User: "u", Password: "p"})
			m := pooled(b, s, 1)
			m.Limit(c.noPipelining, c.noChunking)
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				if _, err := m.Send(ctx, to(i)); err != nil {
					b.Fatal(err)
				}
				if c.fresh {
					m.Close() // QUIT: the next message dials again
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(s.Connections())/float64(b.N), "conns/msg")
		})
	}
}
