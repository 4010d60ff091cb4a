package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	gomail "github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"
)

// maxIdle is how long a connection may wait for its next message. Relays drop
// idle connections (Postfix after 300 s, many sooner); one older than this is
// closed rather than tried.
const maxIdle = 30 * time.Second

// checkAfter is how long a connection may wait before it is checked with NOOP
// before its next message. One back sooner goes straight to MAIL FROM: a relay
// that closed it in between fails that command, before anything of the message,
// and the message takes a fresh connection (see Mailer.Send). A NOOP before every
// message cost a round trip each, for connections that mostly waited milliseconds.
const checkAfter = 5 * time.Second

// conn is one connection to the relay, greeted, encrypted and authenticated.
type conn struct {
	client *mailsmtp.Client
	raw    net.Conn  // the TCP connection beneath, cut when a send's context ends
	since  time.Time // when it was last put back
	reused bool      // it was taken from the idle ones, not dialled for this send
	check  bool      // it waited checkAfter or longer: NOOP before the message

	pipelining bool   // the relay offers PIPELINING (pipeline.go)
	chunking   bool   // and CHUNKING: the message goes with the commands, as BDAT
	mailParams string // what MAIL FROM adds for the relay's extensions, as go-mail would
}

// pool keeps connections to the relay open between messages. It never has more
// than cap(tokens) open: a token is taken to dial and given back when a
// connection closes; an idle connection keeps its token.
type pool struct {
	client                   *gomail.Client // dials, greets, authenticates and sends
	tokens                   chan struct{}
	idle                     chan *conn
	implicitTLS              *tls.Config // for smtps://, TLS from the first byte; nil otherwise
	noPipelining, noChunking bool        // only tests and benchmarks set them, to compare
}

func newPool(size int, implicitTLS *tls.Config) *pool {
	return &pool{tokens: make(chan struct{}, size), idle: make(chan *conn, size), implicitTLS: implicitTLS}
}

// get returns an idle connection, or dials one while fewer than the pool's size
// are open, or waits for one of them until ctx ends.
func (p *pool) get(ctx context.Context) (*conn, error) {
	if err := ctx.Err(); err != nil { // before a kept connection is spent on it
		return nil, err
	}
	for {
		var c *conn
		select {
		case c = <-p.idle: // a kept connection first, before dialling
		default:
			select {
			case c = <-p.idle:
			case p.tokens <- struct{}{}:
				return p.dial(ctx)
			case <-ctx.Done():
				return nil, fmt.Errorf("all %d connections to the relay stayed busy: %w", cap(p.tokens), ctx.Err())
			}
		}
		if idle := time.Since(c.since); idle < maxIdle {
			c.reused, c.check = true, idle >= checkAfter
			return c, nil
		}
		p.drop(c)
	}
}

// put gives c back to the pool to carry the next message when keep is true, and
// closes it otherwise.
func (p *pool) put(c *conn, keep bool) {
	if !keep {
		p.drop(c)
		return
	}
	c.since = time.Now()
	p.idle <- c // never blocks: there are no more connections than tokens
}

// drop closes c and gives back its token.
func (p *pool) drop(c *conn) {
	_ = c.raw.Close()
	<-p.tokens
}

// close says QUIT on every idle connection and closes it.
func (p *pool) close() {
	for {
		select {
		case c := <-p.idle:
			_ = c.client.UpdateDeadline(time.Second)
			_ = c.client.Quit()
			p.drop(c)
		default:
			return
		}
	}
}

// dialedKey finds, in the context of a dial, where to leave the connection.
type dialedKey struct{}

// dialed carries the TCP connection go-mail dials out of it, so that the
// connection can be cut when the send's context ends: go-mail itself keeps to its
// own timeout once connected.
type dialed struct {
	ctx  context.Context // the send's
	conn net.Conn
	stop func() bool // unregisters the cut
}

// dial opens, greets, encrypts and authenticates a new connection; it holds a
// token, which it gives back if that fails.
func (p *pool) dial(ctx context.Context) (*conn, error) {
	d := &dialed{ctx: ctx}
	client, err := p.client.DialToSMTPClientWithContext(context.WithValue(ctx, dialedKey{}, d))
	if d.stop != nil {
		d.stop()
	}
	if err != nil {
		if d.conn != nil {
			_ = d.conn.Close() // go-mail leaves it open when the greeting or the login fails
		}
		<-p.tokens
		return nil, err
	}
	c := &conn{client: client, raw: d.conn}
	c.pipelining, _ = client.Extension("PIPELINING")
	c.pipelining = c.pipelining && !p.noPipelining
	c.chunking, _ = client.Extension("CHUNKING")
	c.chunking = c.chunking && c.pipelining && !p.noChunking
	if ok, _ := client.Extension("8BITMIME"); ok {
		c.mailParams += " BODY=8BITMIME"
	}
	if ok, _ := client.Extension("SMTPUTF8"); ok {
		c.mailParams += " SMTPUTF8"
	}
	return c, nil
}

// dialContext is go-mail's dialer: TCP, then TLS at once for smtps:// (STARTTLS is
// go-mail's), handing the TCP connection to dial.
func (p *pool) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if d, ok := ctx.Value(dialedKey{}).(*dialed); ok {
		d.conn = c
		d.stop = context.AfterFunc(d.ctx, func() { _ = c.Close() })
	}
	if p.implicitTLS == nil {
		return c, nil
	}
	tc := tls.Client(c, p.implicitTLS)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return tc, nil
}
