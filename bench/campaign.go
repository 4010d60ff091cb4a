package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// campaignRun is one `pwreset campaign start` on PostgreSQL while a serve delivers.
type campaignRun struct {
	users     int64         // e-mails the campaign queued: every user
	queued    time.Duration // from the start until the command returned, all queued
	delivered time.Duration // from the start until the sink had every e-mail
	sentByEnd int64         // e-mails the sink had when the command returned
	load      string
	serveCPU  time.Duration // the serving instance's CPU: its dispatcher delivers
	toolCPU   time.Duration // the campaign command's
	dbCPU     time.Duration
	xacts     int64
}

// campaign seeds --users users on PostgreSQL, starts pwreset (which delivers) and
// runs `pwreset campaign start` for every user unpaced, measuring how fast the
// e-mails are queued and how fast they are delivered (docs/performance.md).
func campaign(o options, dir string) error {
	srv, db, stop, err := onPostgres(o, dir, "--campaign")
	if err != nil {
		return err
	}
	defer stop()
	r := campaignRun{users: int64(o.users) + 1, load: loadAverage()} // user1..userN and "demo"
	before := sunk.Load()
	cpu0, x0 := db.cpu(), db.xacts()
	serve0, _ := srv.proc.cpu()
	start := time.Now()
	tool := exec.Command(srv.cmd.Path, "campaign", "start", "--rate", "1000000")
	tool.Env, tool.Stdout, tool.Stderr = srv.cmd.Env, io.Discard, io.Discard
	if err := tool.Run(); err != nil {
		return fmt.Errorf("pwreset campaign start: %w", err)
	}
	r.queued, r.sentByEnd = time.Since(start), sunk.Load()-before
	r.toolCPU = tool.ProcessState.UserTime() + tool.ProcessState.SystemTime()
	if !waitDelivered(before + r.users) {
		return fmt.Errorf("the sink had %d of the campaign's %d e-mails after %s", sunk.Load()-before, r.users, drainLimit)
	}
	r.delivered = time.Since(start)
	serve1, _ := srv.proc.cpu()
	r.serveCPU, r.dbCPU = serve1-serve0, db.cpu()-cpu0
	time.Sleep(1500 * time.Millisecond) // backends report their statistics at most once a second
	r.xacts = db.xacts() - x0 - 1
	printCampaign(os.Stdout, r)
	return nil
}

func printCampaign(w io.Writer, r campaignRun) {
	n := float64(r.users)
	fmt.Fprintf(w, "\n| load avg | users | queued in | queued/s | delivered by then | all delivered in | delivered/s | "+
		"pwreset CPU/user (serve + campaign) | PostgreSQL CPU/user | statements/user |\n"+
		"|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	fmt.Fprintf(w, "| %s | %d | %s | %.0f | %d | %s | %.0f | %s + %s | %s | %.1f |\n", r.load, r.users,
		r.queued.Round(time.Millisecond), n/r.queued.Seconds(), r.sentByEnd, r.delivered.Round(time.Millisecond),
		n/r.delivered.Seconds(), perAnswer(r.serveCPU, uint64(n)), perAnswer(r.toolCPU, uint64(n)),
		perAnswer(r.dbCPU, uint64(n)), float64(r.xacts)/n)
}
