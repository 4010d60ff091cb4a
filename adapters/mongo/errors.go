package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// translate turns a driver error of operation op into the ports' terms: no
// document is ErrUserNotFound, an unreachable or slow server wraps ErrUnavailable
// (the service answers 503 and the driver reconnects by itself), anything else is
// wrapped with what was being done. caller is the context the caller passed in, to
// tell its own cancellation from an outage.
func translate(caller context.Context, op string, err error) error {
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return ports.ErrUserNotFound
	case errors.Is(caller.Err(), context.Canceled):
		// The caller gave up (a client hung up): not MongoDB's fault.
		return fmt.Errorf("mongo: %s: %w", op, err)
	case unavailable(err):
		return fmt.Errorf("mongo: %s: MongoDB unreachable or too slow: %w: %w", op, ports.ErrUnavailable, err)
	}
	return fmt.Errorf("mongo: %s: %w", op, err)
}

// translateWrite is translate for a write: one the server refused outright (see
// refusedCodes) wraps ErrWriteRefused, for it surely did not apply; an unclear
// failure stays ErrUnavailable, for it may have.
func translateWrite(caller context.Context, op string, err error) error {
	if refusedWrite(err) {
		return fmt.Errorf("mongo: %s: MongoDB refused the write; check the collection's validation "+
			"rules and the privileges of the configured user: %w: %w", op, ports.ErrWriteRefused, err)
	}
	return translate(caller, op, err)
}

// refusedCodes are server error codes of a write refused for good: retrying it
// unchanged cannot succeed, and it changed nothing.
var refusedCodes = []int{
	2,     // BadValue
	13,    // Unauthorized
	14,    // TypeMismatch
	52,    // DollarPrefixedFieldName
	66,    // ImmutableField
	121,   // DocumentValidationFailure
	10334, // BSONObjectTooLarge
}

// refusedWrite tells whether err is a write the server refused (see refusedCodes).
func refusedWrite(err error) bool {
	var serverErr mongo.ServerError
	if !errors.As(err, &serverErr) {
		return false
	}
	for _, code := range refusedCodes {
		if serverErr.HasErrorCode(code) {
			return true
		}
	}
	return false
}

// transientCodes are server error codes of a deployment that is starting, stopping
// or electing a primary: worth a retry later, like an outage.
var transientCodes = []int{
	6,     // HostUnreachable
	7,     // HostNotFound
	64,    // WriteConcernFailed: a failover or lagging secondaries; the write may still land
	89,    // NetworkTimeout
	91,    // ShutdownInProgress
	133,   // FailedToSatisfyReadPreference: a shard without a primary
	189,   // PrimarySteppedDown
	262,   // ExceededTimeLimit
	9001,  // SocketException
	10107, // NotWritablePrimary
	11600, // InterruptedAtShutdown
	11602, // InterruptedDueToReplStateChange
	13435, // NotPrimaryNoSecondaryOk
	13436, // NotPrimaryOrSecondary
}

// unavailable tells whether err means MongoDB could not be reached or answer in time.
func unavailable(err error) bool {
	if mongo.IsTimeout(err) || mongo.IsNetworkError(err) {
		return true // also server selection, which ends in a deadline
	}
	// Dial failures (connection refused) and dropped connections reach us without
	// the driver's NetworkError label when they happen while checking out a connection.
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	// The driver's "connection pool was cleared" error wraps nothing, but says
	// it is retryable; it is only ever returned while the server is in trouble.
	var retryable interface{ Retryable() bool }
	if errors.As(err, &retryable) && retryable.Retryable() {
		return true
	}
	var serverErr mongo.ServerError
	if errors.As(err, &serverErr) {
		for _, code := range transientCodes {
			if serverErr.HasErrorCode(code) {
				return true
			}
		}
	}
	return false
}
