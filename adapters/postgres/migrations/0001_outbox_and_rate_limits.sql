-- pwreset's own tables: the outbox of e-mails and the rate-limit events. pwreset
-- never creates or alters the users table.

CREATE TABLE pwreset_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state           text        NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
    attempts        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    -- for a sending message: its lease expiry, when it is due again if its worker dies
    next_attempt_at timestamptz NOT NULL,
    lease_owner     text        NOT NULL DEFAULT '',
    lease_expires   timestamptz,
    finished_at     timestamptz,
    provider_id     text        NOT NULL DEFAULT '',
    last_error      text        NOT NULL DEFAULT '',
    kind            text        NOT NULL,
    user_id         text        NOT NULL,
    from_address    text        NOT NULL,
    to_address      text        NOT NULL,
    -- erased (set to '') once the message is sent or failed: it holds the reset link
    subject         text        NOT NULL,
    body_text       text        NOT NULL,
    body_html       text        NOT NULL
);

-- Claim: the earliest due message.
CREATE INDEX pwreset_outbox_due ON pwreset_outbox (next_attempt_at, id) WHERE state IN ('pending', 'sending');
-- Purge: finished messages by age.
CREATE INDEX pwreset_outbox_finished ON pwreset_outbox (finished_at) WHERE state IN ('sent', 'failed', 'suppressed');

CREATE TABLE pwreset_rate_limits (
    id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text        NOT NULL,
    at  timestamptz NOT NULL
);

CREATE INDEX pwreset_rate_limits_key_at ON pwreset_rate_limits (key, at DESC);

-- pwreset_rate_limit_allow records an event of p_key at p_now unless p_limit events
-- were recorded after p_since; then it records nothing and returns the time of the
-- p_limit-th newest of them, the one whose leaving the window makes room. The
-- advisory lock serialises the checks of one key (its hash, in a lock space of
-- pwreset's own), and each statement of a function sees what was committed before
-- it began, so the check sees every event recorded before the lock was granted:
-- the limit is exact under races. The lock ends with the calling statement.
CREATE FUNCTION pwreset_rate_limit_allow(p_key text, p_limit integer, p_since timestamptz, p_now timestamptz)
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    blocking timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(1886876275, hashtext(p_key)); -- 1886876275: 'pwrs'
    SELECT at INTO blocking FROM pwreset_rate_limits
     WHERE key = p_key AND at > p_since ORDER BY at DESC OFFSET p_limit - 1 LIMIT 1;
    IF FOUND THEN
        RETURN blocking;
    END IF;
    INSERT INTO pwreset_rate_limits (key, at) VALUES (p_key, p_now);
    RETURN NULL;
END
$$;
