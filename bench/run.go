package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// run measures the references, then pwreset, and prints the table.
func run(o options) error {
	fmt.Fprintf(os.Stderr, "%s, %s, %d CPUs, load average %s\n", time.Now().UTC().Format(time.DateTime+" MST"),
		runtime.Version(), runtime.NumCPU(), loadAverage())
	dir, err := os.MkdirTemp("", "pwreset-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	defer runAtExit() // after the children stop
	if o.campaign {
		return campaign(o, dir)
	}
	if o.e2e {
		return endToEnd(o, dir)
	}

	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this command's binary to start the Echo reference: %w", err)
	}
	echoSrv, err := start("bare Echo", self, func(addr string) []string { return []string{echoRoleVar + "=" + addr} })
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bare Echo v5 at %s\n", echoSrv.url)
	attack(load{name: "warm-up", targets: sendLink(echoSrv.url+"/", o.knownLogin), conns: o.conns, duration: time.Second}, proc{})
	echoWindow := func(name string) outcome {
		return attack(load{name: name, targets: sendLink(echoSrv.url+"/", o.knownLogin),
			conns: o.conns, duration: o.window}, echoSrv.proc)
	}
	echo := echoWindow("bare Echo: bind + answer")
	defer echoSrv.stop()

	srv, secret, err := pwreset(o, dir)
	if err != nil {
		return err
	}
	if srv.cmd != nil {
		defer srv.stop()
	}
	outcomes, sustained := sendLinkLoads(o, srv, echoWindow)
	if o.linkOnly {
		printReport(os.Stdout, o, echo, hashRate{}, outcomes, sustained)
		return nil
	}
	// The hasher is measured just before and after the resets, and the two averaged:
	// others' work on a shared machine comes and goes within minutes.
	before := measureHasher(o.resetFor)
	outcomes = append(outcomes, resetLoads(o, srv, secret)...)
	hasher := before.with(measureHasher(o.resetFor))
	// Last, as its keys stay in the limiter for a day: a live heap the collector
	// would mark in every cycle of every run after it (each hash starts one).
	outcomes = append(outcomes, attack(load{name: "send-link, unknown users",
		targets: sendLinkUnknown(srv.url + o.apiPrefix + "send-reset-password-link/"), conns: o.conns,
		duration: o.window, base: "echo"}, srv.proc))
	printReport(os.Stdout, o, echo, hasher, outcomes, sustained)
	return nil
}

// pwreset starts pwreset in demo mode, or names the target; the secret signs links.
func pwreset(o options, dir string) (*child, []byte, error) {
	if o.target != "" {
		fmt.Fprintf(os.Stderr, "target %s (no CPU or RSS figures; allocations if it serves /metrics)\n", o.target)
		url := strings.TrimSuffix(o.target, "/")
		return &child{name: "target", url: url, proc: proc{metrics: url + "/metrics"}}, []byte(o.secretKey), nil
	}
	bin := o.binary
	if bin == "" {
		var err error
		if bin, err = buildPwreset(context.Background(), dir); err != nil {
			return nil, nil, err
		}
	}
	secret := o.secretKey
	if secret == "" {
		secret = rand.Text() + rand.Text()
	}
	env, where := benchEnv(secret, o.users), fmt.Sprintf("in demo mode, DEMO_USERS=%d", o.users)
	if o.postgres != "" {
		pg, err := preparePostgres(o.postgres, o.users)
		if err != nil {
			return nil, nil, err
		}
		atExit = append(atExit, pg.cleanup)
		env, where = pg.env(secret), "on PostgreSQL"
		benchDatabaseURL = pg.url
	}
	if o.workers > 0 {
		env = append(env, fmt.Sprint("MAIL_WORKERS=", o.workers), fmt.Sprint("SMTP_POOL_SIZE=", o.workers))
	}
	srv, err := start("pwreset", bin, func(addr string) []string {
		return append(env, "HTTP_ADDR="+addr, "API_PREFIX="+o.apiPrefix)
	})
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "pwreset %s at %s, limits off\n", where, srv.url)
	return srv, []byte(secret), nil
}

// sendLinkLoads drives send-reset-password-link for the existing user, at saturation
// and at a fixed rate, and for the sustained run if asked. That comes before the
// resets, as each hash leaves 19 MiB behind for the runtime to return.
// Each window after the first has a window of bare Echo just before it, its ratio's
// reference: others' load on a shared machine changes from one minute to the next.
func sendLinkLoads(o options, srv *child, echoWindow func(name string) outcome) ([]outcome, *rssSeries) {
	send := srv.url + o.apiPrefix + "send-reset-password-link/"
	attack(load{name: "warm-up", targets: sendLink(send, o.knownLogin), conns: o.conns, duration: time.Second}, srv.proc)
	var out []outcome
	for i := range 3 {
		var ref *outcome
		if i > 0 {
			e := echoWindow(fmt.Sprintf("bare Echo, before window %d", i+1))
			out, ref = append(out, e), &e
		}
		w := attack(load{name: fmt.Sprintf("send-link, existing user, window %d", i+1),
			targets: sendLink(send, o.knownLogin), conns: o.conns, duration: o.window, base: "echo"}, srv.proc)
		w.ref = ref
		out = append(out, w)
	}
	var sustained *rssSeries
	if o.sustain > 0 {
		sustained = sustain(o, srv)
	}
	out = append(out, attack(load{name: "send-link, existing user, fixed rate", targets: sendLink(send, o.knownLogin),
		rate: o.linkRate, conns: o.conns, duration: o.window}, srv.proc))
	return out, sustained
}

// resetLoads drives reset-password with valid links, at saturation and at a fixed rate.
func resetLoads(o options, srv *child, secret []byte) []outcome {
	if len(secret) == 0 {
		fmt.Fprintln(os.Stderr, "no --secret-key for the target: reset-password runs skipped")
		return nil
	}
	resetURL := srv.url + o.apiPrefix + "reset-password/"
	return []outcome{
		attack(load{name: "reset, one reusable link", targets: resets(resetURL, secret, 1), conns: o.conns,
			duration: o.resetFor, base: "hasher"}, srv.proc),
		attack(load{name: "reset, many users", targets: resets(resetURL, secret, o.users), conns: o.conns,
			duration: o.resetFor, base: "hasher"}, srv.proc),
		attack(load{name: "reset, many users, fixed rate", targets: resets(resetURL, secret, o.users),
			rate: o.resetRate, conns: o.conns, duration: o.resetFor}, srv.proc),
		attack(load{name: "reset, many users, 256 connections", targets: resets(resetURL, secret, o.users),
			conns: 256, duration: o.resetFor, base: "hasher"}, srv.proc),
	}
}

// loadAverage is /proc/loadavg's first three fields: others' work skews the figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
