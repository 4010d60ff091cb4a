package harness

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// module is the import path of the pwreset command the tests build.
const module = "github.com/pwreset/pwreset"

// Build builds pwreset with the race detector once per test process (one test
// package) and returns the binary's path.
var Build = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pwreset-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pwreset")
	out, err := exec.Command("go", "build", "-race", "-o", bin, module).CombinedOutput()
	if err != nil {
		return "", &buildError{out}
	}
	return bin, nil
})

type buildError struct{ out []byte }

func (e *buildError) Error() string { return "go build: " + string(e.out) }

// Listening finds the API's base URL in the service's JSON start-up line.
var Listening = regexp.MustCompile(`"pwreset listening".*"addr":"(http://[^"]+)"`)

// Process is a running pwreset whose output the test reads line by line.
type Process struct {
	Cmd     *exec.Cmd
	mu      sync.Mutex
	lines   []string
	more    chan struct{}
	readers sync.WaitGroup // the goroutines copying its output, until end of file
}

// Command returns the pwreset binary's command with env and args.
func Command(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	return cmd
}

// Start runs the pwreset binary with env and args; it is killed when the test ends.
func Start(t *testing.T, env []string, args ...string) *Process {
	t.Helper()
	return StartCommand(t, Command(t, env, args...))
}

// StartCommand starts cmd as a process whose output the test reads; it is killed
// when the test ends, and its output logged if the test failed.
func StartCommand(t *testing.T, cmd *exec.Cmd) *Process {
	t.Helper()
	p := &Process{Cmd: cmd, more: make(chan struct{}, 1)}
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		p.Wait()
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(cmd.Path), strings.Join(p.Snapshot(), "\n"))
		}
	})
	for _, r := range []io.Reader{stdout, stderr} {
		p.readers.Add(1)
		go func() {
			defer p.readers.Done()
			s := bufio.NewScanner(r)
			for s.Scan() {
				p.mu.Lock()
				p.lines = append(p.lines, s.Text())
				p.mu.Unlock()
				select {
				case p.more <- struct{}{}:
				default:
				}
			}
		}()
	}
	return p
}

// Wait waits for the process to exit and for all it wrote to be read. Calling
// Cmd.Wait alone may close the pipes before the last lines were read.
func (p *Process) Wait() error {
	p.readers.Wait()
	return p.Cmd.Wait()
}

// Snapshot returns the lines the process has written so far, stdout and stderr.
func (p *Process) Snapshot() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Await returns the first submatch of re in the output, waiting up to 20 s for it.
func (p *Process) Await(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		for _, l := range p.Snapshot() {
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		}
		select {
		case <-p.more:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("pwreset never printed a line matching %s", re)
		}
	}
}
