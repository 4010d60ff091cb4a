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

// progress draws a campaign's progress bar with its speed and ETA on a terminal,
// redrawing one line after each page.
type progress struct {
	w     io.Writer
	clock ports.Clock
	start time.Time
	from  int // users done when this run started
	drawn bool
}

// Page implements campaign.Observer.
func (p *progress) Page(c ports.Campaign, _, _ int) {
	p.drawn = true
	fmt.Fprint(p.w, "\r"+bar(c, p.clock.Now().Sub(p.start), c.Done-p.from)+"\x1b[K")
}

// end moves past the bar's line.
func (p *progress) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
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
