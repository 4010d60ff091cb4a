// Package app configures pwreset, assembles it with Wire and runs it.
package app

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is the whole configuration, read from environment variables named after
// django-rest-registration's settings, in one pass, into one section per topic;
// each section's file (http.go, reset.go, ...) holds its settings, their checks and
// its providers. docs/configuration.md describes each variable.
type Config struct {
	HTTP      HTTPSettings
	Reset     ResetSettings
	Password  PasswordSettings
	Hasher    HasherSettings
	Mail      MailSettings
	Emails    EmailSettings
	Outbox    OutboxSettings
	Page      PageSettings
	Languages LanguageSettings
	Ops       OpsSettings
	Django    DjangoSettings
	Events    EventsSettings
	Campaign  CampaignSettings
	Tracing   TracingSettings
	Seed      DemoSettings
	Store     StoreSettings
}

// Demo reports whether pwreset runs in demo mode: no database, nothing persists.
func (c Config) Demo() bool { return c.Store.Backend() == BackendMemory }

// Load reads the configuration from environ (KEY=value pairs, as os.Environ gives)
// and checks it. The error lists every problem, one per line.
func Load(environ []string) (Config, error) {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	// The outbox's defaults are the domain's own (outbox.DefaultConfig): a variable
	// that is unset or empty leaves them, as an envDefault tag would.
	cfg := Config{Outbox: outboxDefaults()}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		return cfg, parseProblems(err, vars)
	}
	cfg.applySchema()
	cfg.HTTP.APIPrefix = apiPrefix(cfg.HTTP.APIPrefix)
	unresolved := cfg.resolve()
	return cfg, errors.Join(append(cfg.problems(), unresolved...)...)
}

// resolve converts, once, the values that take more than the env library's parsing
// into their sections' typed fields, which the providers use as they are: the time
// zone, the export headers and sampler while tracing is on, and the page's template
// while the page is served. It returns the problems of those that do not convert,
// to be reported with the others.
func (c *Config) resolve() []error {
	return slices.Concat(c.Emails.resolve(), c.Tracing.resolve(), c.resolvePage())
}

// parseProblems lists the values that did not parse, each naming its variable.
func parseProblems(err error, vars map[string]string) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	var problems []error
	named := map[string]bool{}
	for _, e := range agg.Errors {
		problems = append(problems, nameVariable(e, vars, named)...)
	}
	return errors.Join(problems...)
}

// nameVariable rewords a parse error of the env library, which names the Go field,
// so that it names the environment variable the operator has to fix (and records it
// in named). An error that names it already (TRUSTED_PROXIES's, one per entry) is
// kept as it is.
func nameVariable(err error, vars map[string]string, named map[string]bool) []error {
	var pe env.ParseError
	if !errors.As(err, &pe) {
		return []error{err}
	}
	name := envName(reflect.TypeFor[Config](), pe, vars, named)
	named[name] = true
	switch {
	case name == "":
		return []error{err}
	case strings.HasPrefix(pe.Err.Error(), name+" "):
		return Problems(pe.Err)
	}
	return []error{fmt.Errorf("%s: %v", name, pe.Err)}
}

// envName finds the variable of the field pe names in t or in the sections it
// nests. Sections repeat Go names (SMTP's, the events' and PostgreSQL's Timeout):
// of the fields of that name and type, it is the first not named yet whose value
// fails to parse.
func envName(t reflect.Type, pe env.ParseError, vars map[string]string, named map[string]bool) string {
	for f := range t.Fields() {
		tag := strings.Split(f.Tag.Get("env"), ",")[0]
		if tag != "" && f.Name == pe.Name && f.Type == pe.Type && !named[tag] && fails(f, tag, vars) {
			return tag
		}
		if tag == "" && f.Type.Kind() == reflect.Struct {
			if name := envName(f.Type, pe, vars, named); name != "" {
				return name
			}
		}
	}
	return ""
}

// fails reports whether the value of variable tag fails to parse into field f, as
// the env library parses it.
func fails(f reflect.StructField, tag string, vars map[string]string) bool {
	one := reflect.StructOf([]reflect.StructField{{Name: "V", Type: f.Type, Tag: f.Tag}})
	return env.ParseWithOptions(reflect.New(one).Interface(), env.Options{Environment: map[string]string{tag: vars[tag]}}) != nil
}

// problems lists what is wrong with the configuration, each with what to do: each
// section's own problems, then those of the rules that join sections.
func (c Config) problems() []error {
	return slices.Concat(c.HTTP.problems(), c.Reset.problems(), c.Password.problems(), c.Hasher.problems(),
		c.Mail.problems(), c.Emails.problems(), c.Outbox.problems(), c.Languages.problems(), c.Ops.problems(),
		c.Django.problems(), c.Events.problems(), c.Campaign.problems(), c.Tracing.problems(), c.Seed.problems(c.Demo()),
		c.Store.problems(), c.joinedProblems())
}

// joinedProblems checks the rules that join sections, each saying why it does.
func (c Config) joinedProblems() []error {
	return slices.Concat(c.productionProblems(), c.keyProblems(), c.leaseProblems(), c.pageProblems())
}

// productionProblems are what demo mode does without, and production cannot.
func (c Config) productionProblems() []error {
	if c.Demo() {
		return nil
	}
	var p []error
	if c.Mail.SendGridAPIKey == "" && c.Mail.SMTP.URL == "" {
		// Outside demo mode, printing e-mails would put live reset links in the logs.
		p = append(p, errors.New("SENDGRID_API_KEY is required outside demo mode, unless SMTP_URL names an SMTP relay: a SendGrid API key with the Mail Send permission"))
	}
	if !c.Reset.Enabled { // no link is sent: nothing to point it at, nobody to send it
		return p
	}
	if c.Reset.URL == "" {
		p = append(p, errors.New("RESET_PASSWORD_VERIFICATION_URL is required: the front-end page the e-mailed link opens, such as https://frontend-host/reset-password/"))
	}
	if c.Mail.From == "" {
		p = append(p, errors.New("VERIFICATION_FROM_EMAIL is required: the sender address of the e-mails, such as noreply@example.com"))
	}
	return p
}

// leaseProblems: a send is cut off at three quarters of MAIL_LEASE, which must come
// after the provider's own timeout, or every slow send would be cut off unanswered.
// A timeout that is not positive is its own section's problem.
func (c Config) leaseProblems() []error {
	var p []error
	lease := c.Outbox.Lease
	check := func(name string, timeout time.Duration) {
		if lease < timeout*4/3 {
			p = append(p, fmt.Errorf("MAIL_LEASE (%s) must be at least 4/3 of %s (%s)", lease, name, timeout))
		}
	}
	switch smtp := c.Mail.SMTP; {
	case smtp.URL == "":
		check("SENDGRID_TIMEOUT", c.Mail.SendGridTimeout)
	case smtp.Timeout > 0:
		check("SMTP_TIMEOUT", smtp.Timeout)
	}
	if c.Events.On() && c.Events.Timeout > 0 {
		check("EVENTS_TIMEOUT", c.Events.Timeout)
	}
	return p
}

// Problems returns the problems an error of Load (or any errors.Join error) holds,
// one per line to print; none for nil.
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
