package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/pwreset/pwreset/adapters/postgres"
)

// ErrNoDatabaseURL is Migrate's error when DATABASE_URL is not set.
var ErrNoDatabaseURL = errors.New("DATABASE_URL is not set: migrate creates pwreset's tables in PostgreSQL (MongoDB needs none)")

// Migrate creates or updates pwreset's own tables in the PostgreSQL at
// DATABASE_URL and says what it did: `pwreset migrate`, for teams whose service
// role may not run DDL. It reads only DATABASE_URL and DATABASE_TIMEOUT.
func Migrate(ctx context.Context, environ []string, out io.Writer) error {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	settings, err := env.ParseAsWithOptions[PostgresSettings](env.Options{Environment: vars})
	if err != nil {
		return fmt.Errorf("DATABASE_TIMEOUT: %w", err)
	}
	if settings.URL == "" {
		return ErrNoDatabaseURL
	}
	pool, err := postgres.Connect(ctx, settings.URL, settings.Timeout)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer pool.Close()
	applied, err := postgres.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, "pwreset's tables are up to date")
		return nil
	}
	fmt.Fprintf(out, "applied migrations %v\n", applied)
	return nil
}
