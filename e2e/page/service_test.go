package page

import (
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/e2e/harness"
)

// demoUser is the id of demo mode's user, whose login is "demo".
const demoUser = "1"

// serve runs `pwreset serve` in demo mode with harness.SecretKey, no link
// cooldown and no rate limits, env added or replacing those, and returns it with
// its origin.
func serve(t *testing.T, env ...string) (*harness.Process, string) {
	t.Helper()
	p := harness.Start(t, append([]string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0", "SECRET_KEY=" + harness.SecretKey,
		"RESET_PASSWORD_LINK_COOLDOWN=0s", "RATE_LIMIT_SEND_LINK=off", "RATE_LIMIT_RESET_PASSWORD=off"}, env...), "serve")
	return p, p.Await(t, harness.Listening)[1]
}

// pageFor returns the page's address at origin for a link of user signed at
// issued with the service's key, as an e-mail would carry it.
func pageFor(origin, user string, issued time.Time) string {
	c := link.Claims{UserID: user, Timestamp: issued.Unix()}
	q := url.Values{"user_id": {user}, "timestamp": {strconv.FormatInt(c.Timestamp, 10)},
		"signature": {link.NewSigner([]byte(harness.SecretKey), false).Sign(c)}}
	return origin + "/reset-password/?" + q.Encode()
}
