// Package djangotest runs Django itself for pwreset's compatibility tests: its own
// script, django_check.py, answers with Django's public APIs (Signer, make_password,
// check_password) under the python3 that has Django (Debian's python3-django).
package djangotest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed django_check.py
var script []byte

// interpreters are tried in order: the python3 on PATH may be another installation
// (pyenv, a virtualenv) than the one Debian's python3-django is installed for.
var interpreters = []string{"python3", "/usr/bin/python3"}

// Django runs django_check.py.
type Django struct {
	python string
	script string
	// Version is Django's version, such as 3.2.25.
	Version string
	// Libraries tells which optional hasher libraries import: "argon2", "bcrypt".
	Libraries map[string]bool
}

// Start finds a python3 that imports Django, or skips the test saying why.
func Start(t testing.TB) *Django {
	t.Helper()
	path := filepath.Join(t.TempDir(), "django_check.py")
	if err := os.WriteFile(path, script, 0o600); err != nil {
		t.Fatal(err)
	}
	var tried []string
	for _, name := range interpreters {
		python, err := exec.LookPath(name)
		if err != nil {
			tried = append(tried, name+": not found")
			continue
		}
		d := &Django{python: python, script: path}
		a, err := d.run([]Request{{Op: "libraries"}})
		if err != nil {
			tried = append(tried, python+": "+lastLine(err.Error()))
			continue
		}
		d.Version, d.Libraries = a[0].Django, a[0].Libraries
		return d
	}
	t.Skipf("no python3 with Django to test against (%s); install Debian's python3-django", strings.Join(tried, "; "))
	return nil
}

// Request is one question to Django; Op says which (see django_check.py).
type Request struct {
	Op           string         `json:"op"`
	UserID       string         `json:"user_id"`
	Timestamp    int64          `json:"timestamp"`
	PasswordHash *string        `json:"password_hash,omitempty"` // one-time links: the salt's hash
	Secret       string         `json:"secret,omitempty"`
	Fallbacks    []string       `json:"fallbacks,omitempty"`
	Signature    string         `json:"signature,omitempty"`
	Password     string         `json:"password"`
	Hasher       string         `json:"hasher,omitempty"`
	Cost         map[string]int `json:"cost,omitempty"`
	Encoded      string         `json:"encoded,omitempty"`
	// User and Validators are the user and the validators (by class name, such
	// as "UserAttributeSimilarityValidator"; default Django's four) of "validate".
	User       *User    `json:"user,omitempty"`
	Validators []string `json:"validators,omitempty"`
}

// User is the auth.User whose attributes "validate" compares a password with.
type User struct {
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// Answer is Django's reply to one Request.
type Answer struct {
	Hex       string          `json:"hex"`
	Signature string          `json:"signature"`
	Valid     bool            `json:"valid"`
	Encoded   string          `json:"encoded"`
	Error     string          `json:"error"`
	Django    string          `json:"django"`
	Libraries map[string]bool `json:"libraries"`
	Messages  []string        `json:"messages"`
}

// Ask sends all requests to one run of the script and returns the answers in order.
// An error Django raised for a request fails the test.
func (d *Django) Ask(t testing.TB, reqs ...Request) []Answer {
	t.Helper()
	answers, err := d.run(reqs)
	if err != nil {
		t.Fatalf("run Django: %v", err)
	}
	for i, a := range answers {
		if a.Error != "" {
			t.Fatalf("Django failed on request %d (%s): %s", i, reqs[i].Op, a.Error)
		}
	}
	return answers
}

func (d *Django) run(reqs []Request) ([]Answer, error) {
	in, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(d.python, d.script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	var answers []Answer
	if err := json.Unmarshal(out, &answers); err != nil {
		return nil, fmt.Errorf("read the answers: %v (%.200q)", err, out)
	}
	if len(answers) != len(reqs) {
		return nil, fmt.Errorf("%d answers to %d requests", len(answers), len(reqs))
	}
	return answers, nil
}

// RequireLibrary skips the test when the hasher library Django needs (argon2 for
// argon2-cffi, bcrypt) does not import.
func (d *Django) RequireLibrary(t testing.TB, name string) {
	t.Helper()
	if !d.Libraries[name] {
		t.Skipf("Django %s cannot load the %s library; install Debian's python3-%s", d.Version, name, name)
	}
}

// lastLine is the line of a Python traceback that names the exception.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
