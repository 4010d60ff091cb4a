package sendgridtest

import (
	"fmt"
	"strings"

	"github.com/pwreset/pwreset/ports"
)

// mailBody is the part of SendGrid's v3 mail body the server understands.
type mailBody struct {
	From             *email `json:"from"`
	ReplyTo          *email `json:"reply_to"`
	Subject          string `json:"subject"`
	Personalizations []struct {
		To []email `json:"to"`
	} `json:"personalizations"`
	Content []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"content"`
	CustomArgs map[string]string `json:"custom_args"`
}

// email is an address in SendGrid's form.
type email struct {
	Name    string `json:"name"`
	Address string `json:"email"`
}

// String gives the address as a mail header would.
func (e email) String() string {
	if e.Name == "" {
		return e.Address
	}
	return e.Name + " <" + e.Address + ">"
}

// check applies the subset of SendGrid's rules a plain message can break, with
// SendGrid's wording, so that a malformed request fails here as it would there.
func (b mailBody) check() []APIError {
	var errs []APIError
	if b.From == nil || !strings.Contains(b.From.Address, "@") {
		errs = append(errs, APIError{Field: "from.email",
			Message: "The from email does not contain a valid address."})
	}
	if b.Subject == "" {
		errs = append(errs, APIError{Field: "subject", Message: "The subject is required."})
	}
	if len(b.Personalizations) == 0 {
		errs = append(errs, APIError{Field: "personalizations",
			Message: "The personalizations field is required and must have at least one personalization."})
	}
	for i, p := range b.Personalizations {
		if len(p.To) == 0 {
			errs = append(errs, APIError{Field: fmt.Sprintf("personalizations.%d.to", i),
				Message: "The to array is required for all personalization objects, and must have at least one email object with a valid email address."})
		}
		for j, to := range p.To {
			if !strings.Contains(to.Address, "@") {
				errs = append(errs, APIError{Field: fmt.Sprintf("personalizations.%d.to.%d.email", i, j),
					Message: "Does not contain a valid address."})
			}
		}
	}
	return append(errs, b.checkContent()...)
}

// checkContent enforces SendGrid's content rules: at least one part, none empty,
// and text/plain before text/html.
func (b mailBody) checkContent() []APIError {
	if len(b.Content) == 0 {
		return []APIError{{Field: "content", Message: "Unless a valid template_id is provided, the content parameter is required."}}
	}
	var errs []APIError
	htmlAt := -1
	for i, c := range b.Content {
		if c.Value == "" {
			errs = append(errs, APIError{Field: fmt.Sprintf("content.%d.value", i),
				Message: "The content value must be a string at least one character in length."})
		}
		switch c.Type {
		case "text/html":
			htmlAt = i
		case "text/plain":
			if htmlAt >= 0 {
				errs = append(errs, APIError{Field: "content",
					Message: "If present, text/plain and text/html may only be provided in this order: text/plain, text/html."})
			}
		}
	}
	return errs
}

// message is the accepted body as the ports.Message it most likely came from.
func (b mailBody) message() ports.Message {
	var to []string
	for _, p := range b.Personalizations {
		for _, e := range p.To {
			to = append(to, e.String())
		}
	}
	m := ports.Message{Kind: b.CustomArgs["kind"], From: b.From.String(), To: strings.Join(to, ", "),
		Subject: b.Subject}
	if b.ReplyTo != nil {
		m.ReplyTo = b.ReplyTo.String()
	}
	for _, c := range b.Content {
		switch c.Type {
		case "text/plain":
			m.Text = c.Value
		case "text/html":
			m.HTML = c.Value
		}
	}
	return m
}
