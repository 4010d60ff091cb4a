// Package mongotest gives tests a MongoDB to talk to: the one at MONGODB_TEST_URI
// if that is set, otherwise FerretDB (SQLite backend) run as a child process.
//
// The FerretDB binary is built from the module in ./ferretdb, a module of its own
// so that the service's go.mod carries none of FerretDB's dependencies. The first
// build takes a minute or two; the binary is then cached under the user's cache
// directory (pwreset/ferretdb), keyed by a hash of that module's sources.
//
// One shared server serves each test process; every test gets a fresh database of
// its own from NewDatabase, so tests never see each other's data and nothing is
// ever dropped (FerretDB v1 can crash when a database is dropped under running
// queries). A package that uses it should stop the server when its tests end:
//
//	func TestMain(m *testing.M) { mongotest.Main(m) }
//
// Without that, the server still stops when the test process exits, even if the
// process is killed (it watches its standard input, a pipe from the test
// process), but its temporary directory is left behind.
//
// FerretDB v1.24 has no TTL indexes, transactions, change streams, collation,
// aggregation-pipeline updates or $expr, scans whole collections (keep test data
// small), reports a unique-index violation on update as an internal error, and
// runs an update as a query followed by a write, so its writes are not atomic.
// URI therefore puts the shared server behind Serial, a proxy that lets one
// command at a time reach it: each command then runs alone, as MongoDB runs
// every single-document write. Proxy gives a test a Serial of its own, to have
// the server refuse a chosen write.
package mongotest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvURI names the variable that points the tests at a real MongoDB instead of
// FerretDB. Use a throwaway deployment: each test leaves a database behind.
const EnvURI = "MONGODB_TEST_URI"

// FerretDB tells whether the tests run against FerretDB rather than a MongoDB at
// MONGODB_TEST_URI, for tests of guarantees FerretDB v1 does not give.
func FerretDB() bool {
	return os.Getenv(EnvURI) == ""
}

var shared struct {
	once   sync.Once
	server *Server
	serial *Serial // in front of server
	uri    string
	err    error
}

// URI returns the MongoDB URI the tests of this process share: MONGODB_TEST_URI
// if set, else that of a FerretDB started on first use, behind a Serial proxy
// that lets one command at a time reach it, so that every single-document write
// is atomic as on MongoDB (see Serial).
func URI(t testing.TB) string {
	t.Helper()
	if !FerretDB() {
		return os.Getenv(EnvURI)
	}
	shared.once.Do(func() {
		start := time.Now()
		bin, took, err := binary()
		if err != nil {
			shared.err = err
			return
		}
		dir, err := os.MkdirTemp("", "pwreset-ferretdb-")
		if err != nil {
			shared.err = err
			return
		}
		s := &Server{bin: bin, dir: dir}
		if shared.err = s.start(); shared.err != nil {
			_ = os.RemoveAll(dir)
			return
		}
		if shared.serial, shared.err = NewSerial(s.addr); shared.err != nil {
			_ = s.stop()
			_ = os.RemoveAll(dir)
			return
		}
		shared.server, shared.uri = s, shared.serial.URI()
		if took > 0 {
			t.Logf("mongotest: built FerretDB in %s", took.Round(time.Second))
		}
		t.Logf("mongotest: FerretDB at %s, ready after %s", shared.uri, time.Since(start).Round(time.Millisecond))
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.uri
}

// Main runs the tests of a package and then stops the shared server and removes
// its files. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if p := shared.serial; p != nil {
		_ = p.Close()
	}
	if s := shared.server; s != nil {
		if err := s.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		_ = os.RemoveAll(s.dir)
	}
	os.Exit(code)
}

// NewDatabase connects a client to URI(t) and returns a database that no other
// test uses. The client is disconnected when the test ends; the database is left
// in place, as dropping it could crash FerretDB.
func NewDatabase(t testing.TB) *mongo.Database {
	t.Helper()
	return Connect(t, URI(t)).Database(databaseName(t))
}

// Connect returns a client of uri with a short server-selection timeout, so that a
// test whose server is gone fails fast; it is disconnected when the test ends.
func Connect(t testing.TB, uri string) *mongo.Client {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		t.Fatalf("mongotest: connect to %s: %v", uri, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(ctx)
	})
	return client
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// databaseName is the test's name, cut to what MongoDB and FerretDB accept in a
// database name, with a random suffix: unique across tests, runs and processes
// sharing one server, yet recognisable when debugging.
func databaseName(t testing.TB) string {
	name := unsafeChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("%s_%s", name, rand.Text()[:10])
}

// Proxy starts a Serial of the test's own in front of the server URI(t) names,
// and returns it with the URI to reach the server through it (credentials and
// options of MONGODB_TEST_URI kept, as a direct connection). It is closed when
// the test ends. Tests use it to have the server refuse a chosen write.
func Proxy(t testing.TB) (*Serial, string) {
	t.Helper()
	uri := URI(t)
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		t.Fatalf("mongotest: cannot put a proxy in front of %s: want a mongodb:// URI", EnvURI)
	}
	host, _, _ := strings.Cut(u.Host, ",") // the first of a replica set's hosts
	p, err := NewSerial(host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	q := u.Query()
	q.Del("replicaSet")
	q.Set("directConnection", "true")
	u.Host, u.RawQuery = p.ln.Addr().String(), q.Encode()
	if u.Path == "" {
		u.Path = "/"
	}
	return p, u.String()
}
