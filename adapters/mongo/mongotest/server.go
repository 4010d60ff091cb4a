package mongotest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a FerretDB process of its own, for tests that stop and restart the
// database under a store (outages). It keeps its port and its data across a restart.
type Server struct {
	t       testing.TB // nil for the server shared by a test process
	bin     string
	dir     string // holds data/ (SQLite files) and ferretdb.log
	addr    string // host:port, fixed by the first start
	mu      sync.Mutex
	proc    *os.Process
	stdin   *os.File      // closing it stops the process (see main.go's -stdin-eof)
	exited  chan struct{} // closed once the process is gone
	running bool
}

// StartServer builds FerretDB if needed and starts a private instance in a
// temporary directory on a free port. It is stopped when the test ends.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin, took, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	if took > 0 {
		t.Logf("mongotest: built FerretDB in %s", took.Round(time.Second))
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	// Registered after TempDir, so it runs first: the process stops before its
	// files are removed.
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	})
	s.Start()
	return s
}

// URI returns the server's MongoDB URI; it stays the same across Stop and Start.
func (s *Server) URI() string {
	return "mongodb://" + s.addr + "/"
}

// Start starts the server again after Stop, on the same port and with the same
// data. Like t.Fatal, it must be called from the test's goroutine.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

// Stop stops the server: clients then get refused connections until Start. Like
// t.Fatal, it must be called from the test's goroutine.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.stop(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	data := filepath.Join(s.dir, "data")
	logPath := filepath.Join(s.dir, "ferretdb.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child has its own copy
	listen := s.addr
	if listen == "" {
		listen = "127.0.0.1:0"
	}

	// Plain pipes rather than cmd.StdinPipe/StdoutPipe: their ends must outlive
	// cmd.Wait's bookkeeping, and the parent's end of stdin is what keeps the child
	// alive; when the test process dies, even by SIGKILL, the child reads EOF and stops.
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return errors.Join(err, inR.Close(), inW.Close())
	}
	cmd := exec.Command(s.bin, "-dir", data, "-listen", listen, "-stdin-eof")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, logFile
	err = cmd.Start()
	_ = inR.Close()
	_ = outW.Close()
	if err != nil {
		return errors.Join(fmt.Errorf("mongotest: starting FerretDB: %w", err), inW.Close(), outR.Close())
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()

	uri := make(chan string, 1)
	go func() {
		defer outR.Close()
		r := bufio.NewReader(outR)
		line, _ := r.ReadString('\n')
		uri <- strings.TrimSpace(line)
		// Keep draining: were the pipe closed, a later write to stdout would
		// kill the server with SIGPIPE.
		_, _ = io.Copy(io.Discard, r)
	}()
	var line string
	select {
	case line = <-uri:
	case <-time.After(time.Minute):
	}
	u, err := url.Parse(line)
	if line == "" || err != nil || u.Host == "" {
		_ = inW.Close()
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("mongotest: FerretDB did not start (listen %s, stdout %q); its log %s ends:\n%s",
			listen, line, logPath, tail(logPath))
	}
	s.addr, s.proc, s.stdin, s.exited, s.running = u.Host, cmd.Process, inW, exited, true
	return nil
}

// stop closes the child's stdin, which makes it shut down gracefully (FerretDB
// gives open connections up to 3 s), and kills it if it takes much longer.
func (s *Server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return nil
	}
	s.running = false
	_ = s.stdin.Close()
	select {
	case <-s.exited:
		return nil
	case <-time.After(10 * time.Second):
	}
	// Reached only if FerretDB hangs; the port must be free for the next Start.
	_ = s.proc.Kill()
	<-s.exited
	return fmt.Errorf("mongotest: FerretDB did not stop within 10s and was killed; its log is %s",
		filepath.Join(s.dir, "ferretdb.log"))
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
