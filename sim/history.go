package sim

import "time"

// history is what happened in one run, as the port wrappers saw it apply: the
// ground truth the invariants are checked against.
type history struct {
	seq       int // orders every recorded effect
	events    []*event
	msgs      map[string]*msgRec
	msgOrder  []string
	sends     []*sendRec
	changes   []*changeRec
	links     []*linkReq
	resets    []*resetReq
	operators []*operatorRec
	ipHits    []ipHit
	windows   map[string]int // named windows the run went through, with how often
	crashes   int
}

func newHistory() *history {
	return &history{msgs: map[string]*msgRec{}, windows: map[string]int{}}
}

func (h *history) next() int { h.seq++; return h.seq }

// event is one rate-limit event a limiter recorded.
type event struct {
	task   int
	key    string
	at     time.Time // as the caller stamped it
	seq    int
	undone bool
}

// msgRec is one message stored in the outbox.
type msgRec struct {
	id       string
	kind     string
	userID   string
	task     int
	created  time.Time // true time it was stored
	pending  bool      // stored to be sent (not suppressed)
	requeued []string  // the ids of the messages operators' retries queued in its place
}

// sendRec is one message the mail provider accepted.
type sendRec struct {
	id      string // outbox id
	kind    string
	userID  string
	task    int
	at      time.Time
	settled bool   // its MarkSent applied
	window  string // why it may go out again, if it may
}

// changeRec is one password change the user store applied.
type changeRec struct {
	task     int
	userID   string
	old, new string
	at       time.Time
}

// linkReq is one link request, as the client saw it answered.
type linkReq struct {
	task    int
	inst    int
	userID  string // "" for a login nobody has
	done    bool
	err     error
	checked bool      // its limits were checked (AllowAll applied)
	checkAt time.Time // as stamped
	checkSq int
	refused int
}

// resetReq is one reset, as the client saw it answered.
type resetReq struct {
	task      int
	userID    string
	link      string // user:timestamp:signature
	done      bool
	err       error
	crashed   bool
	unclear   bool // a SetPassword of it failed in a way that may still apply
	notice    string
	holdLate  bool      // storing its notice went on past its deadline: it may land after its withdrawal
	delFailed bool      // withdrawing its notice failed
	heldAt    time.Time // true time it asked to hold its notice
	endAt     time.Time // true time the reset returned
}

// operatorRec is one operator command.
type operatorRec struct {
	task   int
	kind   string
	userID string
	msgID  string
	done   bool
	err    error
}

// ipHit is one request the per-IP throttle let through.
type ipHit struct {
	ip string
	at time.Time
}
