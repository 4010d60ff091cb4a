package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// e2eRow is one send-link window on PostgreSQL and the drain of the outbox after it.
type e2eRow struct {
	run       outcome
	load      string        // the load average when the window began
	delivered int64         // e-mails the sink accepted during the window
	drain     time.Duration // from the load's end until every answered link was delivered
	drained   bool          // false: the drain gave up after drainLimit
	dbCPU     time.Duration // PostgreSQL's CPU time over the window and its drain
	xacts     int64         // PostgreSQL's transactions (one per statement) over the same
}

// benchDatabaseURL is the child's DATABASE_URL, when it runs on PostgreSQL.
var benchDatabaseURL string

// drainLimit bounds the wait for the outbox to drain after a window.
const drainLimit = 2 * time.Minute

// endToEnd runs pwreset on PostgreSQL with mail going to the SMTP sink, and
// measures --windows windows of send-link, each with the outbox's drain after it.
func endToEnd(o options, dir string) error {
	srv, db, stop, err := onPostgres(o, dir, "--e2e")
	if err != nil {
		return err
	}
	defer stop()
	send := srv.url + o.apiPrefix + "send-reset-password-link/"
	warm := attack(load{name: "warm-up", targets: sendLink(send, o.knownLogin), conns: o.conns, duration: time.Second}, srv.proc)
	waitDelivered(int64(warm.metrics.StatusCodes["200"]))
	var rows []e2eRow
	for i := range o.windows {
		rows = append(rows, e2eWindow(o, srv, db, send, fmt.Sprintf("send-link, existing user, window %d", i+1)))
	}
	printE2E(os.Stdout, o, rows)
	return nil
}

// e2eWindow runs one window and waits for its drain.
func e2eWindow(o options, srv *child, db *pgStats, send, name string) e2eRow {
	r := e2eRow{load: loadAverage()}
	before := sunk.Load()
	cpu0, x0 := db.cpu(), db.xacts()
	want := before
	r.run = attack(load{name: name, targets: sendLink(send, o.knownLogin), conns: o.conns, duration: o.window}, srv.proc)
	stopped := time.Now()
	r.delivered = sunk.Load() - before
	want += int64(r.run.metrics.StatusCodes["200"])
	r.drained = waitDelivered(want)
	r.drain = time.Since(stopped)
	cpu1 := db.cpu()
	time.Sleep(1500 * time.Millisecond) // backends report their statistics at most once a second
	r.dbCPU, r.xacts = cpu1-cpu0, db.xacts()-x0-1
	fmt.Fprintf(os.Stderr, "    delivered %d during the window, drained in %s\n", r.delivered, r.drain.Round(time.Millisecond))
	if o.pgTables {
		printTables(os.Stderr, db, o.knownLogin)
	}
	return r
}

// onPostgres starts pwreset on PostgreSQL with mail going to the SMTP sink, for the
// mode flag names, and connects to its database for its statistics; stop ends both.
func onPostgres(o options, dir, flag string) (*child, *pgStats, func(), error) {
	if o.postgres == "" {
		return nil, nil, nil, fmt.Errorf("%s needs --postgres (auto, or a server's URL)", flag)
	}
	srv, _, err := pwreset(o, dir)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := openStats()
	if err != nil {
		srv.stop()
		return nil, nil, nil, err
	}
	return srv, db, func() { _ = db.Close(context.Background()); srv.stop() }, nil
}

// waitDelivered waits until the sink has accepted want messages in all.
func waitDelivered(want int64) bool {
	for deadline := time.Now().Add(drainLimit); sunk.Load() < want; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// pgStats reads PostgreSQL's work: its transactions and its processes' CPU time.
type pgStats struct {
	*pgx.Conn
	postmaster int
}

// openStats connects to the child's database and finds its server's main process.
func openStats() (*pgStats, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, benchDatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL for its statistics: %w", err)
	}
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return nil, err
	}
	parent, _ := ppid(backend)
	return &pgStats{Conn: conn, postmaster: parent}, nil
}

// xacts is the database's transactions committed and rolled back so far.
func (s *pgStats) xacts() int64 {
	var n int64
	_ = s.QueryRow(context.Background(), `SELECT xact_commit + xact_rollback FROM pg_stat_database
		WHERE datname = current_database()`).Scan(&n)
	return n
}

// cpu is the CPU time of the server's main process and its children (the backends,
// which a pool keeps for the run) so far.
func (s *pgStats) cpu() time.Duration {
	var total time.Duration
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range paths {
		pid, _ := strconv.Atoi(strings.Split(p, "/")[2])
		if parent, ok := ppid(pid); ok && (pid == s.postmaster || parent == s.postmaster) {
			c, _ := proc{pid: pid}.cpu()
			total += c
		}
	}
	return total
}

// ppid is the parent of process pid.
func ppid(pid int) (int, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(f[1])
	return n, err == nil
}

// printE2E writes the end-to-end rows as a Markdown table, and the targets of issue 21.
func printE2E(w io.Writer, o options, rows []e2eRow) {
	fmt.Fprintf(w, "\n| run | load avg | answers | answers/s | delivered/s in the window | drain | end to end/s | "+
		"pwreset CPU/answer | PostgreSQL CPU/answer | statements/answer | p50 |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		n := r.run.metrics.StatusCodes["200"]
		window := r.run.metrics.Duration + r.run.metrics.Wait
		drain := r.drain.Round(time.Millisecond).String()
		if !r.drained {
			drain = "> " + drainLimit.String()
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %.0f | %s | %.0f | %s | %s | %.1f | %s |\n", r.run.name, r.load, n,
			r.run.perSecond(), float64(r.delivered)/window.Seconds(), drain, float64(n)/(window+r.drain).Seconds(),
			perAnswer(r.run.cpu, uint64(n)), perAnswer(r.dbCPU, uint64(n)), float64(r.xacts)/float64(max(n, 1)),
			round(r.run.metrics.Latencies.P50))
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		n := r.run.metrics.StatusCodes["200"]
		window := r.run.metrics.Duration + r.run.metrics.Wait
		ratio := float64(r.delivered) / window.Seconds() / r.run.perSecond()
		fmt.Fprintf(w, "- [%s] %s: delivered/s %.2f × answered/s (≥ 0.9); [%s] drained in %s (≤ 2 s); %d answers\n",
			mark(ratio >= 0.9), r.run.name, ratio, mark(r.drained && r.drain <= 2*time.Second), r.drain.Round(time.Millisecond), n)
	}
}

func mark(ok bool) string {
	if ok {
		return "x"
	}
	return " "
}
