package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pwreset/pwreset/ports"
)

// translate turns a pgx error of operation op into the ports' terms: an unreachable
// or slow server wraps ErrUnavailable (the service answers 503; the pool reconnects
// by itself), anything else is wrapped with what was being done. caller is the
// context the caller passed in, to tell its own cancellation from an outage.
func translate(caller context.Context, op string, err error) error {
	switch {
	case errors.Is(caller.Err(), context.Canceled):
		return fmt.Errorf("postgres: %s: %w", op, err) // the caller gave up: not the server's fault
	case unavailable(err):
		return fmt.Errorf("postgres: %s: PostgreSQL unreachable or too slow: %w: %w", op, ports.ErrUnavailable, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// translateWrite is translate for a write: an error the server answered with, other
// than those of an outage (a check or privilege refused, a value too long, a lock
// not granted in time), wraps ports.ErrWriteRefused as well, for the
// statement's transaction was rolled back: the write surely did not apply.
func translateWrite(caller context.Context, op string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && !unavailable(err) {
		return fmt.Errorf("postgres: %s: PostgreSQL refused it (SQLSTATE %s): %w: %w", op, pgErr.Code, ports.ErrWriteRefused, err)
	}
	return translate(caller, op, err)
}

// unavailable tells whether err means the server could not be reached, went away
// or did not answer in time: worth a retry later.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		// Connection exception, insufficient resources (too many connections),
		// operator intervention (shutting down, starting, a statement canceled as
		// too slow), serialization failure or deadlock: all pass.
		case "08", "53", "57", "40":
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.SafeToRetry(err)
}
