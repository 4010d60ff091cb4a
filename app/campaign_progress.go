package app

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// barWidth is the progress bar's width in characters.
const barWidth = 30

// progress tells of a campaign's run: on a terminal (bar) a progress bar with its
// speed and ETA, redrawn on one line after each page; and on w, a line whenever
// the campaign begins to wait for the outbox to drain.
type progress struct {
	w, bar io.Writer // bar: nil when standard error is no terminal
	clock  ports.Clock
	start  time.Time
	from   int // users done when this run started
	drawn  bool
}

// Page implements campaign.Observer.
func (p *progress) Page(c ports.Campaign, _, _ int) {
	if p.bar == nil {
		return
	}
	p.drawn = true
	fmt.Fprint(p.bar, "\r"+bar(c, p.clock.Now().Sub(p.start), c.Done-p.from)+"\x1b[K")
}

// Waiting implements campaign.Observer: without a running serve, nothing drains
// the outbox, and the campaign would seem to hang.
func (p *progress) Waiting(c ports.Campaign, backlog int) {
	p.end()
	fmt.Fprintf(p.w, "campaign %s waits: %d e-mails wait in the outbox, more than CAMPAIGN_MAX_BACKLOG; "+
		"it goes on as a running `pwreset serve` delivers them\n", c.ID, backlog)
}

// end moves past the bar's line.
func (p *progress) end() {
	if p.drawn {
		fmt.Fprintln(p.bar)
		p.drawn = false
	}
}

// bar writes "[=====>    ]  45.0%  45000/100000 users  1234/s  ETA 44s": the
// speed and ETA of this run, after elapsed in which it handled n users.
func bar(c ports.Campaign, elapsed time.Duration, n int) string {
	frac := 1.0
	if c.Total > 0 {
		frac = min(1, float64(c.Done)/float64(c.Total))
	}
	full := int(frac * barWidth)
	b := strings.Repeat("=", full)
	if full < barWidth {
		b += ">" + strings.Repeat(" ", barWidth-full-1)
	}
	s := fmt.Sprintf("[%s] %5.1f%%  %d/%d users", b, 100*frac, c.Done, c.Total)
	if elapsed <= 0 || n <= 0 {
		return s
	}
	speed := float64(n) / elapsed.Seconds()
	eta := time.Duration(float64(max(0, c.Total-c.Done)) / speed * float64(time.Second)).Round(time.Second)
	return s + fmt.Sprintf("  %.0f/s  ETA %s", speed, eta)
}
