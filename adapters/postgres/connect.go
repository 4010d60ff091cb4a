package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultTimeout bounds each call of a store configured without a Timeout.
const DefaultTimeout = 5 * time.Second

// DefaultMaxConns is the pool's size unless the URL sets pool_max_conns. pgx's own
// default, 4 on a small machine, makes requests queue for a connection behind the
// mail workers; each request holds one only for a statement at a time.
const DefaultMaxConns = 16

// ErrBadURL is wrapped by ParseURL and Connect when the URL does not parse.
var ErrBadURL = errors.New("not a PostgreSQL URL such as postgres://user:password@host:5432/database")

// ParseURL reads a connection URL (or keyword/value string) as Connect does,
// pool settings included. Its error wraps ErrBadURL and says what is wrong
// without quoting the URL, so without its password too.
func ParseURL(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", ErrBadURL, urlProblem(err))
	}
	return cfg, nil
}

// urlProblem is what pgx found wrong with a URL. pgx writes
// "cannot parse `<url>`: <problem>", masking the password only as well as it can
// find it in a malformed URL: only the part after the last "`: " is kept.
func urlProblem(err error) string {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return "it does not parse"
	}
	text := pe.Error()
	if i := strings.LastIndex(text, "`: "); i >= 0 {
		return text[i+len("`: "):]
	}
	return "it does not parse"
}

// Connect returns a pool of connections to the server at url once it has answered a
// ping, or an error within timeout (DefaultTimeout if timeout ≤ 0). Its
// connections run at READ COMMITTED, which the rate limits need. timeout also
// bounds each new connection, so that calls on a server that went away fail in that
// time instead of hanging. An unreachable server wraps ports.ErrUnavailable; a url
// that does not parse wraps ErrBadURL (see ParseURL).
//
// Options (such as WithTracing) are applied last.
func Connect(ctx context.Context, url string, timeout time.Duration, opts ...Option) (*pgxpool.Pool, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cfg, err := ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	// The limits' functions count exactly only under READ COMMITTED (migration
	// 0003), whatever default the database or the role has; a setting of the
	// connection's start overrides both.
	cfg.ConnConfig.RuntimeParams["default_transaction_isolation"] = "read committed"
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > timeout {
		cfg.ConnConfig.ConnectTimeout = timeout
	}
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w: %v", ErrBadURL, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, translate(ctx, fmt.Sprintf("connect to PostgreSQL at %s:%d (timeout %s); check that the server runs, "+
			"that this host can reach it, and the URL's host, port, database, user, password and sslmode",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, timeout), err)
	}
	return pool, nil
}
