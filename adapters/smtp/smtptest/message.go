package smtptest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
)

// Part returns the decoded content of the message's part of mediaType (such as
// "text/plain"), looking into a multipart body, with CRLF line ends made LF.
func (m Message) Part(mediaType string) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", err
	}
	ct, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(ct, "multipart/") {
		return "", fmt.Errorf("smtptest: the message is %s, not multipart", ct)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err != nil {
			return "", fmt.Errorf("smtptest: no %s part: %w", mediaType, err)
		}
		if pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt == mediaType {
			b, err := io.ReadAll(p)
			return strings.ReplaceAll(string(b), "\r\n", "\n"), err
		}
	}
}
