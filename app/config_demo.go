package app

import (
	"errors"
	"fmt"
)

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
