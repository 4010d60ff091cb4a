-- Issue 21: breach-response campaigns (pwreset campaign). One row a campaign; the
-- cursor moves after each page is queued. Each user's e-mail counts against a
-- limit of its own in pwreset_rate_limits, which makes a page queued again harmless.
CREATE TABLE pwreset_campaigns (
    id          text PRIMARY KEY,
    state       text NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'done')),
    ids         text[] NOT NULL DEFAULT '{}',
    where_names text[] NOT NULL DEFAULT '{}',
    where_values text[] NOT NULL DEFAULT '{}',
    rate        double precision NOT NULL CHECK (rate > 0),
    invalidate  boolean NOT NULL,
    cursor      text NOT NULL DEFAULT '',
    total       integer NOT NULL,
    done        integer NOT NULL DEFAULT 0,
    queued      integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
