package http_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"testing"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/ports"
)

// hangingStore holds every lookup until the request's context ends, then fails it
// with what wrap makes of the context's error, as a database driver would.
type hangingStore struct {
	brokenStore
	entered chan struct{}
	wrap    func(error) error
}

func (s *hangingStore) hang(ctx context.Context) (ports.User, error) {
	s.entered <- struct{}{}
	<-ctx.Done()
	return ports.User{}, s.wrap(ctx.Err())
}

func (s *hangingStore) FindByLogin(ctx context.Context, _ string) (ports.User, error) {
	return s.hang(ctx)
}
func (s *hangingStore) FindByEmail(ctx context.Context, _ string) (ports.User, error) {
	return s.hang(ctx)
}
func (s *hangingStore) FindByID(ctx context.Context, _ string) (ports.User, error) {
	return s.hang(ctx)
}

// TestClientHangUp: a client that closes its connection while its request waits on
// the store is counted as 499 (nginx's "client closed request") and logged at INFO,
// never as a 5xx with an ERROR or WARN line (issue 18: hang-ups fired the 5xx alert).
func TestClientHangUp(t *testing.T) {
	for _, tt := range []struct {
		name string
		wrap func(error) error
	}{
		{"the store returns the context's error", func(err error) error { return fmt.Errorf("find user: %w", err) }},
		{"the store reports itself unavailable", func(err error) error { return fmt.Errorf("find user: %v: %w", err, ports.ErrUnavailable) }},
	} {
		for path, body := range map[string]string{
			sendPath:  `{"login":"alice"}`,
			resetPath: `{"user_id":"1","timestamp":1700000000,"signature":"abc","password":"` + newPassword + `"}`,
		} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				store := &hangingStore{entered: make(chan struct{}, 1), wrap: tt.wrap}
				obs := &requests{}
				f := newFixture(t, withStore(store), withOperations(pwhttp.Operations{Observer: obs}))
				hangUp(t, f, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+
					strconv.Itoa(len(body))+"\r\n\r\n"+body, store.entered)
				if got, want := obs.take(), []string{"POST " + path + " 499"}; !slices.Equal(got, want) {
					t.Errorf("requests counted %v, want %v", got, want)
				}
				var abandoned bool
				for _, l := range f.logs.lines(t) {
					if l["level"] != "INFO" && l["level"] != "DEBUG" {
						t.Errorf("a %s line: %v", l["level"], l)
					}
					if l["msg"] == "request" && l["status"] != float64(499) {
						t.Errorf("access log status %v, want 499", l["status"])
					}
					abandoned = abandoned || l["msg"] == "client closed the request"
				}
				if !abandoned {
					t.Errorf("no line says the client left:\n%s", f.logs)
				}
			})
		}
	}
}

// hangUp sends raw to a real server of f's API, closes the connection once entered
// says the request is being served, and returns when the server has finished it: the
// server cancels the request's context when it sees the connection closed.
func hangUp(t *testing.T, f *fixture, raw string, entered <-chan struct{}) {
	t.Helper()
	srv, addr, done := f.start(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	answered := make(chan int, 1)
	go func() {
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			answered <- resp.StatusCode // it did not wait where the test meant it to
		}
	}()
	select {
	case <-entered:
		c.Close()
		stop(t, srv, done)
	case status := <-answered:
		c.Close()
		stop(t, srv, done)
		t.Fatalf("answered %d without waiting", status)
	}
}
