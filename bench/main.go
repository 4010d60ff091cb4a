// Command bench measures pwreset under load, side by side with what bounds it: a
// bare Echo server (the HTTP stack) and the raw password hasher (a reset's cost).
//
//	go run ./bench                     # the default run: a few minutes
//	go run ./bench --sustain 60s       # adds a 60-second send-link run for RSS flatness
//	go run ./bench --target http://host:8080 --secret-key ... --users 1000
//	go run ./bench --postgres auto     # pwreset on PostgreSQL (a throw-away server)
//
// It builds pwreset and runs it in demo mode as a child process, so that its CPU
// time and peak RSS can be read from /proc; with --target it drives a running
// instance instead (no CPU or RSS then). Load comes from vegeta. docs/performance.md
// explains the figures.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// options are the command line.
type options struct {
	target     string
	secretKey  string
	users      int
	conns      int
	window     time.Duration
	resetFor   time.Duration
	linkRate   int
	resetRate  int
	sustain    time.Duration
	apiPrefix  string
	knownLogin string
	postgres   string
	e2e        bool
	campaign   bool
	workers    int
	windows    int
	pgTables   bool
	linkOnly   bool
	binary     string
}

func main() {
	if role := os.Getenv(echoRoleVar); role != "" {
		serveEcho(role) // the bare Echo reference, started by this command as a child
		return
	}
	var o options
	flag.StringVar(&o.target, "target", "", "drive the pwreset at this URL instead of starting one in demo mode")
	flag.StringVar(&o.secretKey, "secret-key", "", "the target's SECRET_KEY, to sign reset links (default: the one given to the demo child)")
	flag.IntVar(&o.users, "users", 2000, "users user1..userN the resets spread over (DEMO_USERS of the demo child)")
	flag.IntVar(&o.conns, "conns", 16, "connections of the saturating runs")
	flag.DurationVar(&o.window, "window", 3*time.Second, "length of each send-link window")
	flag.DurationVar(&o.resetFor, "reset-window", 5*time.Second, "length of each reset-password run")
	flag.IntVar(&o.linkRate, "link-rate", 1000, "requests/s of the fixed-rate send-link run")
	flag.IntVar(&o.resetRate, "reset-rate", 20, "requests/s of the fixed-rate reset run")
	flag.DurationVar(&o.sustain, "sustain", 0, "also run send-link this long after a warm-up, sampling RSS (60s for the flatness target)")
	flag.StringVar(&o.apiPrefix, "api-prefix", "/api/v1/accounts/", "API_PREFIX of the target")
	flag.StringVar(&o.knownLogin, "login", "demo", "login of an existing user, for send-link")
	flag.StringVar(&o.postgres, "postgres", "", "run pwreset on PostgreSQL: a server's URL, or auto to start one from the installed binaries")
	flag.BoolVar(&o.e2e, "e2e", false, "with --postgres: only the end-to-end rows, three send-link windows each followed by the outbox's drain (docs/performance.md)")
	flag.BoolVar(&o.campaign, "campaign", false, "with --postgres: only a breach-response campaign to all --users users, unpaced, while the served instance delivers (docs/performance.md)")
	flag.IntVar(&o.windows, "windows", 3, "with --e2e: how many windows")
	flag.BoolVar(&o.pgTables, "pg-tables", false, "with --e2e: after each window, print the outbox's and the limit events' table statistics and plans")
	flag.IntVar(&o.workers, "mail-workers", 0, "MAIL_WORKERS and SMTP_POOL_SIZE of the child (0: its defaults)")
	flag.BoolVar(&o.linkOnly, "link-only", false, "only Echo and send-link for an existing user (no resets, no unknown users): a quicker before-and-after of the link request")
	flag.StringVar(&o.binary, "binary", "", "run this pwreset binary rather than building the repository's (to compare two builds in turn)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
