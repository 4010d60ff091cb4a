package smtp

import (
	"bytes"
	"errors"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// A message on a connection whose relay offers PIPELINING (RFC 2920) goes out in
// few round trips: RSET (on a connection that carried one before), MAIL FROM and
// RCPT TO go out in one write, and their replies are read in turn. With CHUNKING
// (RFC 3030) the message itself goes in that write too, as BDAT ... LAST: one
// round trip. Without it, DATA ends the write, and the message follows its 354:
// two. One command at a time, as go-mail sends it, takes five (with the RSET).
// Every relay pwreset is likely to meet offers PIPELINING (Postfix, Exim,
// SendGrid, Amazon SES, Gmail), and Postfix 3.4 and later, Exchange and Gmail
// CHUNKING; to a relay that does not offer PIPELINING, go-mail sends. go-mail has
// no pipelining of its own: the commands go over its connection (net/textproto),
// after its greeting, STARTTLS and login. A round trip to a relay over the internet
// is tens of milliseconds, and on a busy machine each is a wait for the scheduler:
// a worker's time goes to waiting, not computing.

// stepError is a failed pipelined command: the relay's refusal, or no reply.
// before says that nothing of the message can have reached the relay then, so
// that a fresh connection may carry it at once (see stale).
type stepError struct {
	command string
	before  bool
	err     error
}

func (e *stepError) Error() string { return e.command + ": " + e.err.Error() }

func (e *stepError) Unwrap() error { return e.err }

// inStep reports whether the relay is still in step with the connection after err:
// it answered with a refusal other than 421 (which closes the connection).
func inStep(err error) bool {
	var pe *textproto.Error
	return errors.As(err, &pe) && pe.Code != 421
}

// command is one pipelined command and the reply it expects (25: 250 or 251).
type command struct {
	verb, args string
	expect     int
}

// sendPipelined sends out over c. It reports whether the relay accepted the
// message and whether c is still in step with the relay, to be kept.
func (c *conn) sendPipelined(out *gomail.Msg) (accepted, keep bool, err error) {
	var body []byte
	if c.chunking {
		if body, err = canonical(out); err != nil {
			return false, true, err // nothing was written
		}
	}
	group, err := c.envelope(out, len(body))
	if err != nil {
		return false, true, err
	}
	t := c.client.Text
	for _, cmd := range group {
		_, _ = t.W.WriteString(cmd.verb + cmd.args + "\r\n") // a bufio.Writer keeps its error for Flush
	}
	_, _ = t.W.Write(body)
	if err := t.W.Flush(); err != nil {
		return false, false, &stepError{command: group[0].verb, before: true, err: err}
	}
	refusal, lastOK, err := c.replies(group)
	switch {
	case err != nil:
		return false, false, err
	case refusal != nil:
		// The relay refused the transaction, and then its last command too (no
		// recipient is left): it is in step (it read BDAT's chunk all the same, RFC
		// 3030), and the next message's RSET clears what is left. One that asked
		// for the message after DATA all the same is closed, ending the
		// transaction with nothing sent.
		return false, c.chunking || !lastOK, refusal
	case c.chunking:
		return true, true, nil
	}
	return c.writeMessage(out)
}

// replies reads the relay's reply to each command of group. It returns the first
// refusal, and whether the last command succeeded; an error when a reply did not
// come or was 421, after which the connection is out of step.
func (c *conn) replies(group []command) (refusal error, lastOK bool, err error) {
	for i, cmd := range group {
		_, _, err := c.client.Text.ReadResponse(cmd.expect)
		// Before a reply to DATA nothing of the message was sent; with BDAT it was,
		// and only a relay that answered nothing at all has surely not taken it.
		before := !c.chunking || i == 0
		switch {
		case err == nil:
			lastOK = i == len(group)-1
		case !inStep(err):
			return nil, false, &stepError{command: cmd.verb, before: before, err: err}
		case refusal == nil:
			refusal = &stepError{command: cmd.verb, before: before, err: err}
		}
	}
	return refusal, lastOK, nil
}

// envelope is the command group for out: RSET on a connection that carried a
// message before, MAIL FROM with the parameters go-mail would add, a RCPT TO for
// each recipient, and BDAT for a chunk of size bytes, or DATA.
func (c *conn) envelope(out *gomail.Msg, size int) ([]command, error) {
	from, err := out.GetSender(false)
	if err != nil {
		return nil, err
	}
	rcpts, err := out.GetRecipients()
	if err != nil {
		return nil, err
	}
	group := make([]command, 0, len(rcpts)+3)
	if c.reused {
		group = append(group, command{"RSET", "", 250})
	}
	group = append(group, command{"MAIL FROM", ":" + from + c.mailParams, 250})
	for _, r := range rcpts {
		group = append(group, command{"RCPT TO", ":" + r, 25})
	}
	if c.chunking {
		group = append(group, command{"BDAT", " " + strconv.Itoa(size) + " LAST", 250})
	} else {
		group = append(group, command{"DATA", "", 354})
	}
	for _, cmd := range group {
		if strings.ContainsAny(cmd.args, "\r\n") {
			return nil, errors.New("smtp: an address holds a line break")
		}
	}
	return group, nil
}

// canonical is out as BDAT sends it: every line ending CRLF, the last too. DATA's
// writer makes them so on the way; a chunk goes as it is.
func canonical(out *gomail.Msg) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := out.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("smtp: write the message: %w", err)
	}
	return crlf(buf.Bytes()), nil
}

// crlf ends every line of b with CRLF, the last one too. go-mail writes CRLF
// already; a bare line feed it let through would otherwise reach the relay so.
func crlf(b []byte) []byte {
	if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	}
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\r\n")) {
		b = append(b, '\r', '\n')
	}
	return b
}

// writeMessage writes out after DATA's 354, dot-stuffed, and its end, and reads
// the relay's verdict.
func (c *conn) writeMessage(out *gomail.Msg) (accepted, keep bool, err error) {
	t := c.client.Text
	w := t.DotWriter()
	if _, err := out.WriteTo(w); err != nil {
		return false, false, fmt.Errorf("smtp: write the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return false, false, fmt.Errorf("smtp: end the message: %w", err)
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return false, inStep(err), &stepError{command: "end of data", err: err}
	}
	return true, true, nil
}
