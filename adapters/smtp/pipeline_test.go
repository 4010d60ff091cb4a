package smtp_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/smtp"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/ports"
)

// relayProxy stands between the mailer and a smtptest server, reading the SMTP
// conversation both ways. It can take extensions out of the relay's EHLO reply,
// hold the relay's replies back until the client has sent a command, and records
// how many commands were waiting for a reply whenever a new one arrived.
type relayProxy struct {
	strip    []string // EHLO extensions the client does not see
	holdTill string   // once MAIL FROM is seen, replies wait until a command with this verb
	relay    string

	mu          sync.Mutex
	commands    int // command lines the client sent, and ends of data
	replies     int // final replies the relay sent, the greeting not counted
	maxWaiting  int // the most commands awaiting a reply when another arrived
	holding     bool
	released    chan struct{}
	releaseOnce sync.Once
}

// startProxy listens on 127.0.0.1 and forwards each connection to the relay s.
func startProxy(t *testing.T, s *smtptest.Server, p *relayProxy) string {
	t.Helper()
	p.relay, p.released = s.Addr(), make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(t, c)
		}
	}()
	return "smtp://" + ln.Addr().String()
}

func (p *relayProxy) serve(t *testing.T, client net.Conn) {
	relay, err := net.Dial("tcp", p.relay)
	if err != nil {
		t.Error(err)
		_ = client.Close()
		return
	}
	defer func() { _ = client.Close(); _ = relay.Close() }()
	go p.fromClient(bufio.NewReader(client), relay)
	p.fromRelay(bufio.NewReader(relay), client)
}

// fromClient forwards the client's bytes, counting its commands: a line, or the
// end of a message (DATA's lone dot, BDAT's chunk).
func (p *relayProxy) fromClient(r *bufio.Reader, w io.Writer) {
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if inData && line != ".\r\n" {
			_, _ = io.WriteString(w, line)
			continue
		}
		verb := strings.ToUpper(strings.TrimSpace(line))
		p.arrived(verb)
		_, _ = io.WriteString(w, line)
		switch {
		case verb == "DATA":
			inData = true // the message follows the relay's 354
		case line == ".\r\n":
			inData = false
		case strings.HasPrefix(verb, "BDAT "):
			n, _ := strconv.Atoi(strings.Fields(verb)[1])
			_, _ = io.CopyN(w, r, int64(n))
		}
	}
}

// arrived counts a command, and holds the relay's replies or lets them go.
func (p *relayProxy) arrived(verb string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maxWaiting = max(p.maxWaiting, p.commands-p.replies)
	p.commands++
	if p.holdTill == "" {
		return
	}
	if strings.HasPrefix(verb, "MAIL FROM") {
		p.holding = true
	}
	if strings.HasPrefix(verb, p.holdTill) {
		p.releaseOnce.Do(func() { close(p.released) })
	}
}

// fromRelay forwards the relay's replies, less the stripped extensions, counting
// the final lines; a reply to a held command waits for the release.
func (p *relayProxy) fromRelay(r *bufio.Reader, w io.Writer) {
	greeted := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if p.stripped(line) {
			continue
		}
		p.mu.Lock()
		hold := p.holding
		p.mu.Unlock()
		if hold {
			<-p.released
		}
		if len(line) > 3 && line[3] == ' ' {
			if greeted {
				p.mu.Lock()
				p.replies++
				p.mu.Unlock()
			}
			greeted = true
		}
		_, _ = io.WriteString(w, line)
	}
}

// stripped reports whether line offers one of the extensions to strip. The
// final line of the test relay's EHLO reply is never one: it is SIZE.
func (p *relayProxy) stripped(line string) bool {
	for _, ext := range p.strip {
		if strings.HasPrefix(line, "250-"+ext) {
			return true
		}
	}
	return false
}

func proxiedMailer(t *testing.T, url string) *smtp.Mailer {
	t.Helper()
	m, err := smtp.NewMailer(smtp.Config{URL: url, NoTLS: true, Timeout: 5 * time.Second,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// dotted has lines that DATA must dot-stuff and BDAT must not.
var dotted = ports.Message{Kind: "reset_link", UserID: "42", From: "Service <noreply@example.com>", To: "ann@example.org",
	Subject: "dots", Text: ".\n..leading dots\nbare line feeds\n.", HTML: ""}

// TestPipelined: to a relay offering PIPELINING, the commands of a message go out
// without waiting for replies: the proxy holds every reply after MAIL FROM until
// the group's last command has arrived, and a mailer that waited for one would
// hang there until its timeout. With CHUNKING the message goes with them as BDAT;
// without it, after DATA. Either way two messages arrive intact over one
// connection (RSET pipelined before the second).
func TestPipelined(t *testing.T) {
	cases := []struct {
		name  string
		strip []string
		last  string
	}{
		{"chunking", nil, "BDAT"},
		{"data", []string{"CHUNKING"}, "DATA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := smtptest.Start(t, smtptest.Options{NoTLS: true})
			p := &relayProxy{strip: c.strip, holdTill: c.last}
			m := proxiedMailer(t, startProxy(t, s, p))
			for _, msg := range []ports.Message{sample, dotted} {
				if _, err := m.Send(testCtx(t), msg); err != nil {
					t.Fatalf("Send: %v", err)
				}
			}
			got := s.Messages()
			if len(got) != 2 || s.Connections() != 1 {
				t.Fatalf("%d messages over %d connections, want 2 over 1", len(got), s.Connections())
			}
			checkText(t, got[1].Data, dotted.Text)
			if p.maxWaiting < 2 {
				t.Errorf("at most %d commands awaited a reply at once; pipelined, MAIL FROM and RCPT TO do", p.maxWaiting)
			}
		})
	}
}

// TestNotPipelined: to a relay that does not offer PIPELINING, every command waits
// for the reply to the one before, and the message arrives intact.
func TestNotPipelined(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{NoTLS: true})
	p := &relayProxy{strip: []string{"PIPELINING", "CHUNKING"}}
	m := proxiedMailer(t, startProxy(t, s, p))
	for range 2 {
		if _, err := m.Send(testCtx(t), dotted); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if got := s.Messages(); len(got) != 2 {
		t.Fatalf("%d messages arrived, want 2", len(got))
	}
	checkText(t, s.Messages()[0].Data, dotted.Text)
	if p.maxWaiting != 0 {
		t.Errorf("%d commands awaited a reply when another was sent; without PIPELINING none may", p.maxWaiting)
	}
}

// checkText finds the text part of a received message and compares it with want.
func checkText(t *testing.T, data []byte, want string) {
	t.Helper()
	if !bytes.Contains(data, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("the message has bare line feeds: %q", data)
	}
	body := textPart(t, data)
	if strings.TrimSuffix(strings.ReplaceAll(body, "\r\n", "\n"), "\n") != want {
		t.Errorf("text part %q, want %q", body, want)
	}
}

// textPart is the body of a single-part message, decoded.
func textPart(t *testing.T, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	body := msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCRLF: a chunk ends every line with CRLF, whatever go-mail wrote.
func TestCRLF(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"a\r\nb\r\n":      "a\r\nb\r\n",
		"a\nb":            "a\r\nb\r\n",
		"a\r\nb\nc\r\n\n": "a\r\nb\r\nc\r\n\r\n",
		"end":             "end\r\n",
	} {
		if got := string(smtp.CRLF([]byte(in))); got != want {
			t.Errorf("CRLF(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRecipientRefused: a relay that refuses the recipient refuses the message
// (the chunk that BDAT sent along is read and dropped), Send reports the refusal
// with its code, without the address, and the connection stays in step: the next
// message goes over it. So with each way of sending.
func TestRecipientRefused(t *testing.T) {
	for name, strip := range map[string][]string{
		"chunking":      nil,
		"data":          {"CHUNKING"},
		"not pipelined": {"PIPELINING", "CHUNKING"},
	} {
		t.Run(name, func(t *testing.T) {
			s := smtptest.Start(t, smtptest.Options{NoTLS: true})
			s.RefuseRecipient("user0@example.org", 550, "no such user here")
			m := proxiedMailer(t, startProxy(t, s, &relayProxy{strip: strip}))
			_, err := m.Send(testCtx(t), to(0))
			var se *ports.SendError
			if !errors.As(err, &se) || se.Status != 550 || !se.Permanent || !strings.Contains(se.Reason, "no such user") {
				t.Fatalf("Send: %#v; want the relay's 550", err)
			}
			if strings.Contains(se.Reason, "user0@") {
				t.Errorf("the reason names the recipient: %q", se.Reason)
			}
			if _, err := m.Send(testCtx(t), to(1)); err != nil {
				t.Fatalf("Send after the refusal: %v", err)
			}
			got := s.Messages()
			if len(got) != 1 || got[0].To[0] != "user1@example.org" || s.Connections() != 1 {
				t.Errorf("%d messages (%v) over %d connections; want user1's alone, over 1", len(got), got, s.Connections())
			}
		})
	}
}
