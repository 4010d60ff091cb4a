package smtp_test

import (
	"context"
	"testing"

	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
)

// BenchmarkDelivery sends messages one after another to smtptest, over STARTTLS
// with a login, and reports messages per second and connections opened per
// message: through one kept connection (RSET between messages), and over a new
// connection for each message (as before the pool: dial, EHLO, STARTTLS, EHLO,
// AUTH, then QUIT).
func BenchmarkDelivery(b *testing.B) {
	for _, c := range []struct {
		name  string
		fresh bool
	}{{"pooled", false}, {"new connection per message", true}} {
		b.Run(c.name, func(b *testing.B) {
			s := smtptest.Start(b, smtptest.Options{User: "u", Password: "p"})
			m := pooled(b, s, 1)
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
