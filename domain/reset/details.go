package reset

import (
	"cmp"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// DefaultProduct is the product name of e-mails when none is configured and the
// link's URL names no host.
const DefaultProduct = "pwreset"

// DefaultPeriod is the period e-mails state when Details name none: DRR's default
// RESET_PASSWORD_VERIFICATION_PERIOD.
const DefaultPeriod = 24 * time.Hour

// values are the template values of d in lang.
func (d Details) values(lang string) map[string]string {
	product, period := cmp.Or(d.Product, DefaultProduct), cmp.Or(d.Period, DefaultPeriod)
	v := map[string]string{"product_name": product, "valid_for": validFor(lang, period)}
	if d.Contact != "" {
		v["contact"], v["contact_url"] = d.Contact, contactURL(d.Contact)
	}
	return v
}

// contactURL is the href of a contact: the URL as it is, mailto: for an address.
func contactURL(contact string) string {
	if a, err := mail.ParseAddress(contact); err == nil && !strings.Contains(contact, "://") {
		return "mailto:" + a.Address
	}
	return contact
}

// CheckContact tells whether contact can be RESET_PASSWORD_CHANGED_CONTACT: an
// https (or http) URL with a host, or an e-mail address.
func CheckContact(contact string) error {
	if strings.Contains(contact, "://") {
		u, err := url.Parse(contact)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%q is not a URL such as https://example.com/help", contact)
		}
		return nil
	}
	if _, err := mail.ParseAddress(contact); err != nil {
		return fmt.Errorf("%q is neither an https URL nor an e-mail address", contact)
	}
	return nil
}

// FormatTime writes at in the templates' time zone the way lang writes dates, with
// the zone named: "25 November 2026 at 12:00 UTC", "25.11.2026 um 13:00 CET (UTC+01:00)".
func (t *Templates) FormatTime(lang string, at time.Time) string {
	zone := t.details.Zone
	if zone == nil {
		zone = time.UTC
	}
	at = at.In(zone)
	layout, ok := timeLayouts[BaseLanguage(lang)]
	if !ok {
		layout = timeLayouts[t.fallback]
	}
	return at.Format(layout) + " " + zoneName(at)
}

// zoneName names at's zone: UTC as such, an abbreviation with its offset
// ("CET (UTC+01:00)"), a zone without one by its offset ("UTC+03:00").
func zoneName(at time.Time) string {
	name, offset := at.Zone()
	switch {
	case name == "UTC" && offset == 0:
		return "UTC"
	case name == "" || strings.ContainsAny(name[:1], "+-"):
		return "UTC" + at.Format("-07:00")
	}
	return name + " (UTC" + at.Format("-07:00") + ")"
}

// periodUnits are the words for days, hours and minutes in each language, singular
// and plural, as a period reads after "valid for" ("gültig", "valable", "válido
// durante").
var periodUnits = map[string][3][2]string{
	"en": {{"day", "days"}, {"hour", "hours"}, {"minute", "minutes"}},
	"de": {{"Tag", "Tage"}, {"Stunde", "Stunden"}, {"Minute", "Minuten"}},
	"fr": {{"jour", "jours"}, {"heure", "heures"}, {"minute", "minutes"}},
	"es": {{"día", "días"}, {"hora", "horas"}, {"minuto", "minutos"}},
}

// validFor writes a link's period in lang's words, in the largest unit that
// measures it whole: "24 hours" (not "1 day": people read a day's link as one that
// lasts until tomorrow), "2 days", "90 minutes". Below a minute, "1 minute"; seconds
// beyond whole minutes are dropped, so that the e-mail never promises more time
// than the link has.
func validFor(lang string, d time.Duration) string {
	units, ok := periodUnits[lang]
	if !ok {
		units = periodUnits[DefaultLanguage]
	}
	n, unit := int64(d/time.Minute), units[2]
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		n, unit = int64(d/(24*time.Hour)), units[0]
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), units[1]
	case n < 1:
		n = 1
	}
	if n == 1 {
		return "1 " + unit[0]
	}
	return fmt.Sprintf("%d %s", n, unit[1])
}
