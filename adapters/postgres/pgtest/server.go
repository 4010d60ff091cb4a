package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL server of its own, for tests that stop and restart the
// database under a store (outages). It keeps its port and its data across a restart.
type Server struct {
	t      testing.TB // nil for the server shared by a test process
	bin    string     // the directory of initdb and postgres
	dir    string     // holds data/, the socket and postgres.log
	port   int
	cred   *syscall.Credential // the postgres user's, when the tests run as root
	shared bool                // removed by its watchdog once stopped
	mu     sync.Mutex
	pgid   int           // the watchdog's process group, postgres in it
	stdin  *os.File      // closing it stops the server (see watchdog)
	exited chan struct{} // closed once the process is gone
}

// StartServer starts a private server in a temporary directory on a free port; it
// is stopped and removed when the test ends. It skips the test when the PostgreSQL
// binaries are not installed.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		t.Skip(err.Error())
	}
	s, err := newServer(bin)
	if err != nil {
		t.Fatal(err)
	}
	s.t = t
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
		s.remove()
	})
	if err := s.firstStart(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Launch starts a throw-away server for a program rather than a test (the
// benchmark command): the caller must Close it. It stops when the calling
// process exits, too.
func Launch() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s, err := newServer(bin)
	if err == nil {
		s.shared = true // removed by its watchdog
		err = s.firstStart()
	}
	if err != nil && s != nil {
		s.remove()
	}
	return s, err
}

// Close stops a server of Launch and removes its files.
func (s *Server) Close() error {
	err := s.stop()
	s.remove()
	return err
}

// URL returns the server's connection URL; it stays the same across Stop and Start.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the server again after Stop, on the same port with the same data.
// Like t.Fatal, it must be called from the test's goroutine.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

// Stop stops the server (fast shutdown: open connections are cut): clients then
// get refused connections until Start. It must be called from the test's goroutine.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.stop(); err != nil {
		s.t.Fatal(err)
	}
}

// Freeze stops every process of a StartServer server (SIGSTOP), closing nothing:
// connections stay open and new ones are accepted by the kernel, but nothing
// answers, as with a server that hangs. Thaw undoes it; Stop thaws first.
func (s *Server) Freeze() { s.signal(syscall.SIGSTOP) }

// Thaw lets a frozen server run again.
func (s *Server) Thaw() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stdin == nil {
		s.t.Fatal("pgtest: the server is not running")
	}
	pids, err := s.processes()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			s.t.Fatalf("pgtest: signal %v to process %d of the server: %v", sig, pid, err)
		}
	}
}

// processes lists the postmaster and its children (each of which PostgreSQL puts
// in a session of its own, out of the watchdog's process group).
func (s *Server) processes() ([]int, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid"))
	if err != nil {
		return nil, fmt.Errorf("pgtest: read postmaster.pid: %w", err)
	}
	var postmaster int
	if _, err := fmt.Sscan(string(b), &postmaster); err != nil {
		return nil, fmt.Errorf("pgtest: postmaster.pid: %w", err)
	}
	pids := []int{postmaster}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// binDir finds the directory of initdb and postgres: on the PATH, or the newest
// of Debian's /usr/lib/postgresql/<version>/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("pgtest: PostgreSQL is not installed (no initdb on the PATH or in /usr/lib/postgresql/*/bin): " +
		"install Debian's postgresql package or set " + EnvURL)
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// newServer makes the server's directory and its cluster (initdb). initdb and
// postgres refuse to run as root, so as root they run as the postgres user, in a
// directory of /tmp that user owns.
func newServer(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "pwreset-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir}
	if os.Getuid() == 0 {
		if s.cred, err = postgresUser(); err != nil {
			return s, err
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return s, err
		}
	}
	if s.port, err = freePort(); err != nil {
		return s, err
	}
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return s, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	return s, nil
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root, PostgreSQL must run as the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// watchdog runs postgres under a shell that stops it (fast shutdown) when its
// standard input, a pipe from the test process, closes: on stop, or when the test
// process exits, even by SIGKILL. For the shared server it then removes the
// server's directory (PGTEST_REMOVE), so that a package without pgtest.Main in its
// TestMain leaves nothing behind either.
const watchdog = `"$0" "$@" & pid=$!; read _; kill -INT $pid; wait $pid; [ -z "$PGTEST_REMOVE" ] || rm -rf "$PGTEST_REMOVE"`

// firstStart starts the server on its port, or on another free one should
// something else have taken that port meanwhile. Restarts keep the port.
func (s *Server) firstStart() error {
	var err error
	for range 3 {
		if err = s.start(); err == nil {
			return nil
		}
		port, perr := freePort()
		if perr != nil {
			return errors.Join(err, perr)
		}
		s.port = port
	}
	return err
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stdin != nil {
		return nil
	}
	logPath := filepath.Join(s.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child has its own copy
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command("sh", "-c", watchdog, filepath.Join(s.bin, "postgres"),
		"-D", filepath.Join(s.dir, "data"), "-p", strconv.Itoa(s.port), "-h", "127.0.0.1", "-k", s.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, logFile, logFile
	if s.shared {
		cmd.Env = append(os.Environ(), "PGTEST_REMOVE="+s.dir)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Setpgid: true}
	err = cmd.Start()
	_ = inR.Close()
	if err != nil {
		return errors.Join(fmt.Errorf("pgtest: start postgres: %w", err), inW.Close())
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.stdin, s.exited, s.pgid = inW, exited, cmd.Process.Pid
	if err := s.waitReady(exited); err != nil {
		_ = s.stopLocked()
		return fmt.Errorf("%w; its log %s ends:\n%s", err, logPath, tail(logPath))
	}
	return nil
}

// waitReady waits until the server takes connections, or it exits, or a minute passes.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, s.URL())
		if err == nil {
			err = conn.Ping(ctx)
			_ = conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("pgtest: postgres exited at start: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgtest: postgres not ready after a minute: %v", err)
		}
	}
}

func (s *Server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked()
}

// stopLocked closes the watchdog's pipe and waits for postgres to go; a server
// that takes more than a minute is killed.
func (s *Server) stopLocked() error {
	if s.stdin == nil {
		return nil
	}
	if pids, err := s.processes(); err == nil { // a frozen server could not stop
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	_ = s.stdin.Close()
	s.stdin = nil
	select {
	case <-s.exited:
		return nil
	case <-time.After(time.Minute):
	}
	// The watchdog runs in a process group of its own, with postgres in it.
	_ = syscall.Kill(-s.pgid, syscall.SIGKILL)
	<-s.exited
	return errors.New("pgtest: postgres did not stop within a minute; killed")
}

func (s *Server) remove() { _ = os.RemoveAll(s.dir) }

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
