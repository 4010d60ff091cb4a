package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

// deliver sends one claimed message and stores the outcome, but for a delivery:
// that it returns (ok true), its body erased, for the caller to record.
func (d *Dispatcher) deliver(ctx, sendCtx context.Context, env ports.Envelope) (x delivery, ok bool) {
	log := d.forMessage(&env)
	if d.tooOld(env, d.clock.Now()) {
		reason := fmt.Sprintf("not sent within MAIL_MAX_AGE (%s)", d.cfg.MaxAge)
		if env.LastError != "" {
			reason += "; last error: " + env.LastError
		}
		d.fail(ctx, log, env, reason)
		return delivery{}, false
	}
	// The send must end before the lease does, or another process could claim the
	// message and send it again; the last quarter is left for storing the outcome.
	attemptCtx, cancel := context.WithTimeout(sendCtx, d.cfg.Lease-d.cfg.Lease/4)
	providerID, err := d.provider.Send(attemptCtx, env.Message)
	cancel() // after a shutdown cut-off, the cause stays errShutdown
	if err == nil {
		env.Message.Subject, env.Message.Text, env.Message.HTML = "", "", "" // the link: keep no copy
		return delivery{env: env, providerID: providerID, at: d.clock.Now()}, true
	}
	var sendErr *ports.SendError
	switch {
	case errors.Is(context.Cause(attemptCtx), errShutdown):
		d.release(ctx, log, env, err)
	case errors.As(err, &sendErr) && sendErr.Permanent:
		d.fail(ctx, log, env, err.Error())
	default:
		d.retry(ctx, log, env, err)
	}
	return delivery{}, false
}

// retry puts the message back, due after a backoff. If that falls after MaxAge it
// fails the message now instead: the next claim would only fail it then, unsent, and
// an operator or the user learns of it sooner. Moving the attempt forward to fit would
// ignore the backoff, and any Retry-After the provider asked for.
func (d *Dispatcher) retry(ctx context.Context, log msgLog, env ports.Envelope, err error) {
	var retryAfter time.Duration
	if sendErr := (*ports.SendError)(nil); errors.As(err, &sendErr) {
		retryAfter = sendErr.RetryAfter
	}
	d.pauseAfter(log, env, err)
	wait := d.cfg.backoff(env.Attempts, retryAfter)
	next := d.clock.Now().Add(wait)
	if d.tooOld(env, next) {
		d.fail(ctx, log, env, fmt.Sprintf("%s; the next attempt would fall after MAIL_MAX_AGE (%s)", err, d.cfg.MaxAge))
		return
	}
	stored := d.settle(ctx, log, slog.LevelWarn, "mail not sent; will retry", func(c context.Context) error {
		return d.box.Reschedule(c, env.ID, env.LeaseOwner, next, err.Error())
	}, slog.Any("error", err), slog.String("retry_in", wait.String()))
	d.audit.Event(ctx, env.Message.Kind+audit.DeliveryRetry, "user_id", env.Message.UserID, "outbox_id", env.ID)
	if stored {
		// This process knows when the message is due again: no need to wait for a poll.
		time.AfterFunc(wait, d.Wake)
	}
}

// tooOld reports whether env may no longer be sent at: it is older than MaxAge,
// and not of a kind that is never given up for its age.
func (d *Dispatcher) tooOld(env ports.Envelope, at time.Time) bool {
	return at.After(env.CreatedAt.Add(d.cfg.MaxAge)) && !slices.Contains(d.cfg.KeepTrying, env.Message.Kind)
}

func (d *Dispatcher) fail(ctx context.Context, log msgLog, env ports.Envelope, reason string) {
	if d.settle(ctx, log, slog.LevelError, "mail failed", func(c context.Context) error {
		return d.box.MarkFailed(c, env.ID, env.LeaseOwner, reason, d.clock.Now())
	}, slog.String("reason", reason)) {
		d.announce(ctx, log, env, audit.DeliveryFailed)
	}
	// The reason stays in the outbox and the log line above: it may be long, and the
	// event names what happened, not why.
	d.audit.Event(ctx, env.Message.Kind+audit.DeliveryFailed, "user_id", env.Message.UserID, "outbox_id", env.ID)
}

// release hands back a message whose send shutdown cut off, due at once, so that
// another process need not wait for the lease to expire. The provider may have taken
// it all the same; then it is sent twice, which beats not at all.
func (d *Dispatcher) release(ctx context.Context, log msgLog, env ports.Envelope, err error) {
	d.settle(ctx, log, slog.LevelWarn, "mail send cut off by shutdown; handed back", func(c context.Context) error {
		return d.box.Reschedule(c, env.ID, env.LeaseOwner, d.clock.Now(), "cut off by shutdown: "+err.Error())
	}, slog.Any("error", err))
}

// settle stores the outcome of an attempt with write and logs it as msg, at level if
// it was stored. It reports whether it was.
func (d *Dispatcher) settle(ctx context.Context, log msgLog, level slog.Level, msg string,
	write func(context.Context) error, attrs ...slog.Attr) bool {
	// Shutdown must not stop the outcome being stored: a sent message left leased
	// would be sent again.
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	return logOutcome(c, log, write(c), level, msg, attrs...)
}

// logOutcome logs the outcome msg of an attempt whose storing ended in err: at
// level if it was stored (err nil), or why not. It reports whether it was.
func logOutcome(c context.Context, log msgLog, err error, level slog.Level, msg string, attrs ...slog.Attr) bool {
	switch {
	case err == nil:
		log.write(c, level, msg, attrs...)
		return true
	case errors.Is(err, ports.ErrLeaseLost), errors.Is(err, ports.ErrMessageNotFound):
		log.write(c, slog.LevelWarn, msg+", but another worker has taken the message over, or it was deleted",
			append(attrs, slog.Any("store_error", err))...)
	default:
		log.write(c, slog.LevelError, msg+", but the outcome was not stored; the message is tried again once its lease expires",
			append(attrs, slog.Any("store_error", err))...)
	}
	return false
}

// domainOf returns the domain of an e-mail address: all of the recipient logs show.
func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.TrimRight(addr[at+1:], "> ")
}
