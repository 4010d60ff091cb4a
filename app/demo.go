package app

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"strconv"

	"github.com/pwreset/pwreset/ports"
)

// DemoUser is the account demo mode starts with.
var DemoUser = ports.User{
	ID:     "1",
	Email:  "demo@example.com",
	Logins: []ports.Field{{Name: "username", Value: "demo"}},
}

// demoUsers are the users of demo mode: DemoUser with a random password nobody
// knows (the demo is to reset it), then the DEMO_USERS users. Both passwords are
// hashed before the sequence is handed over, so that it cannot fail.
func demoUsers(cfg Config, hasher ports.PasswordHasher) (iter.Seq[ports.User], error) {
	hash, err := hasher.Hash(rand.Text())
	if err != nil {
		return nil, fmt.Errorf("hash the demo user's password: %w", err)
	}
	u := DemoUser
	u.Logins = nil
	for _, f := range cfg.Store.Users.LoginFields {
		u.Logins = append(u.Logins, ports.Field{Name: f, Value: "demo"})
	}
	u.PasswordHash = hash
	seeded, err := seedDemoUsers(cfg, hasher)
	if err != nil {
		return nil, err
	}
	return func(yield func(ports.User) bool) {
		if yield(u) {
			seeded(yield)
		}
	}, nil
}

// DemoUsersPassword is the password of the users DEMO_USERS seeds.
const DemoUsersPassword = "pwreset-demo-user-password"

// seedDemoUsers are the DEMO_USERS users: user1..userN, with the ids and logins
// "userK" and the e-mail address userK@example.com. They share one hash of
// DemoUsersPassword, so that a million start as fast as one.
func seedDemoUsers(cfg Config, hasher ports.PasswordHasher) (iter.Seq[ports.User], error) {
	if cfg.Seed.Users == 0 {
		return func(func(ports.User) bool) {}, nil
	}
	hash, err := hasher.Hash(DemoUsersPassword)
	if err != nil {
		return nil, fmt.Errorf("hash the DEMO_USERS password: %w", err)
	}
	return func(yield func(ports.User) bool) {
		for k := 1; k <= cfg.Seed.Users; k++ {
			name := "user" + strconv.Itoa(k)
			u := ports.User{ID: name, Email: name + "@example.com", PasswordHash: hash}
			for _, f := range cfg.Store.Users.LoginFields {
				u.Logins = append(u.Logins, ports.Field{Name: f, Value: name})
			}
			if !yield(u) {
				return
			}
		}
	}, nil
}

// demoFrom is the sender address of demo mode's printed e-mails.
const demoFrom = "pwreset-demo@localhost"

// demoOrigin is where a newcomer reaches the service started on ln.
func demoOrigin(ln net.Listener) string {
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + ln.Addr().String()
	}
	host := "localhost"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// demoURL is the link base of demo mode: the hosted reset page pwreset serves itself.
func demoURL(ln net.Listener) string { return demoOrigin(ln) + "/reset-password/" }

// mailRoute says where the e-mails go: the provider ProvideMailProvider chooses.
func (c Config) mailRoute() string {
	switch {
	case c.Mail.SMTP.URL != "":
		return "sent through the SMTP relay of SMTP_URL"
	case c.Mail.SendGridAPIKey != "":
		return "sent through SendGrid (SENDGRID_API_KEY)"
	}
	return "printed to standard output"
}

// printDemoBanner tells a newcomer what demo mode is and how to try it. Where the
// e-mails go depends on the mail provider: only the console prints them here.
func printDemoBanner(out io.Writer, cfg Config, origin string) {
	api := origin + cfg.HTTP.APIPrefix
	body := `{"login": "demo"}`
	if cfg.Reset.UseEmail {
		body = `{"email": "` + DemoUser.Email + `"}`
	}
	mail, open := "printed here, not sent", "open the link printed below"
	if route := cfg.mailRoute(); route != "printed to standard output" {
		mail, open = route+", not printed", "open the link in the e-mail"
	}
	fmt.Fprintf(out, `
==========================================================================
 pwreset DEMO MODE: neither DATABASE_URL nor MONGODB_URI is set.
 Users live in memory and NOTHING PERSISTS; the secret key was
 generated and dies with the process; e-mails are
 %s.
 Demo user: login "demo", e-mail %s
 Try it:
   curl -s -X POST %ssend-reset-password-link/ \
        -H 'Content-Type: application/json' -d '%s'
 then %s, or post it to %sreset-password/
==========================================================================

`, mail, DemoUser.Email, api, body, open, api)
}

// MaxDemoUsers bounds DEMO_USERS: a million users take about half a GiB.
const MaxDemoUsers = 1_000_000

// DemoSettings say what demo mode starts with besides the demo user.
type DemoSettings struct {
	// Users seeds user1..userN (e-mail userK@example.com, password DemoUsersPassword),
	// so that a benchmark can reset many users' passwords; 0: none.
	Users int `env:"DEMO_USERS" envDefault:"0"`
}

func (d DemoSettings) problems(demo bool) []error {
	switch {
	case d.Users < 0 || d.Users > MaxDemoUsers:
		return []error{fmt.Errorf("DEMO_USERS must be between 0 and %d, not %d", MaxDemoUsers, d.Users)}
	case d.Users > 0 && !demo:
		return []error{errors.New("DEMO_USERS seeds demo mode only: unset it, or unset DATABASE_URL and MONGODB_URI for demo mode")}
	}
	return nil
}
