// Command ferretdb runs an embedded FerretDB with its SQLite backend, for the tests of
// pwreset's MongoDB adapter on machines that have no MongoDB.
//
// It lives in a module of its own so that the service's go.mod carries none of
// FerretDB's dependencies, and `go test ./...` in the service skips it.
//
// Usage:
//
//	ferretdb -dir DIR [-listen 127.0.0.1:0] [-stdin-eof]
//
// Once ready it prints its MongoDB URI alone on one line of standard output. It stops
// cleanly on SIGTERM or SIGINT and, with -stdin-eof, when its standard input closes:
// a parent that holds the other end of a pipe takes the server down with it even if
// the parent is killed, on every platform.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dir := flag.String("dir", "", "directory of the SQLite databases (created if missing)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free one")
	stdinEOF := flag.Bool("stdin-eof", false, "stop when standard input reaches end of file")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()

	if err := run(*dir, *listen, *stdinEOF, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(dir, listen string, stdinEOF bool, logLevel string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(abs, 0o700); err != nil {
		return err
	}

	var level slog.Level
	if err = level.UnmarshalText([]byte(logLevel)); err != nil {
		return err
	}
	// Logs go to stderr: stdout carries only the URI line the parent waits for.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB wants a file: URI whose path names an existing directory and ends in "/".
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}).String()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	if stdinEOF {
		go func() {
			// Whatever is read is discarded; only the end of the pipe matters.
			_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	// The listener is bound inside ferretdb.New, so the URI (with the real port
	// when port 0 was asked for) is known and connectable from here on.
	fmt.Println(f.MongoDBURI())

	<-done
	return nil
}
