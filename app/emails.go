package app

import (
	"fmt"
	"net/url"
	"time"
	_ "time/tzdata" // TIME_ZONE works where the system has no zone files (a minimal image)

	"github.com/pwreset/pwreset/domain/reset"
)

// EmailSettings are what the default e-mails say beyond the link: the product's
// name, whom to tell of a change one did not make, and the time zone of times.
type EmailSettings struct {
	// ProductName names the service in the e-mails (PRODUCT_NAME); empty: the
	// hosted page's product name, else the host of RESET_PASSWORD_VERIFICATION_URL.
	ProductName string `env:"PRODUCT_NAME"`
	// ChangedContact is the "this wasn't me" link or address of the
	// password-changed e-mail (RESET_PASSWORD_CHANGED_CONTACT); empty:
	// VERIFICATION_REPLY_TO_EMAIL, if set.
	ChangedContact string `env:"RESET_PASSWORD_CHANGED_CONTACT"`
	// TimeZone is the IANA zone times are written in (TIME_ZONE, Django's name).
	TimeZone string `env:"TIME_ZONE" envDefault:"UTC"`
}

// productName is the name the e-mails give the service.
func (c Config) productName() string {
	if c.Emails.ProductName != "" {
		return c.Emails.ProductName
	}
	if c.Page.ProductName != "" {
		return c.Page.ProductName
	}
	if u, err := url.Parse(c.URL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return reset.DefaultProduct
}

// emailDetails are the e-mails' details; the zone is checked by emailProblems.
func (c Config) emailDetails() reset.Details {
	zone, err := time.LoadLocation(c.Emails.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	contact := c.Emails.ChangedContact
	if contact == "" {
		contact = c.ReplyToEmail
	}
	return reset.Details{Product: c.productName(), Period: c.Period, Contact: contact, Zone: zone}
}

func (c Config) emailProblems() []error {
	var p []error
	if _, err := time.LoadLocation(c.Emails.TimeZone); err != nil || c.Emails.TimeZone == "" || c.Emails.TimeZone == "Local" {
		p = append(p, fmt.Errorf("TIME_ZONE %q is not a time zone: use an IANA name such as UTC or Europe/Berlin", c.Emails.TimeZone))
	}
	if c.Emails.ChangedContact != "" {
		if err := reset.CheckContact(c.Emails.ChangedContact); err != nil {
			p = append(p, fmt.Errorf("RESET_PASSWORD_CHANGED_CONTACT %w", err))
		}
	}
	return p
}
