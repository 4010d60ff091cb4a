-- Issue 17: a link's limit events and its message in one statement, exact limits at
-- every isolation level.
--
-- Each statement inside a plpgsql function sees what was committed before it began
-- only under READ COMMITTED. Under REPEATABLE READ or SERIALIZABLE the whole call
-- sees the snapshot taken before the advisory lock was granted, misses the events of
-- the callers it waited for, and lets a burst through (or fails it with
-- serialization errors). pwreset's connections ask for READ COMMITTED (Connect);
-- pwreset_require_read_committed refuses to count on any other connection (one
-- through a pooler that dropped that setting, say) rather than count wrong.
CREATE FUNCTION pwreset_require_read_committed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'pwreset counts rate limits only under READ COMMITTED, not %: '
            'connect as pwreset does (it sets default_transaction_isolation), or set '
            'default_transaction_isolation = ''read committed'' for its role', current_setting('transaction_isolation')
            USING ERRCODE = '25000';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION pwreset_rate_limit_allow(p_key text, p_limit integer, p_since timestamptz, p_now timestamptz)
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    blocking timestamptz;
BEGIN
    PERFORM pwreset_require_read_committed();
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

-- Issue 18 item 9: what a stream of requests that send nothing stores is bounded. A
-- suppressed record overwrites the last one of its slot: for a message to nobody (an
-- unknown login, a user without an address) its reason, one record for them all;
-- for one a limit refused, the limit's key, one record per user and limit. Only a
-- message to someone that is suppressed with room (a link an operator printed) gets
-- a record of its own. A refused request counts no event. So records and events
-- grow with the requests the limits count (which the hourly caps bound), not with
-- the requests made.
ALTER TABLE pwreset_outbox ADD COLUMN slot text;
CREATE UNIQUE INDEX pwreset_outbox_slot ON pwreset_outbox (slot) WHERE slot IS NOT NULL;

-- pwreset_add_limited stores a message with one event at p_now of each key of
-- p_keys, in the one transaction of the statement that calls it: only if, for each
-- i, fewer than p_maxes[i] events of p_keys[i] were recorded after p_sinces[i].
-- Then the events are recorded and the message is stored pending, due at p_due
-- (NULL: at p_now, or at now() if the database's clock is behind the caller's, so
-- that a caller whose clock is ahead does not delay its message), or suppressed
-- with p_suppress when that is not empty; refused is -1. Otherwise nothing is
-- counted, the message is stored suppressed with p_reasons[i] of the first limit
-- without room, and refused is i - 1. A suppressed message keeps no subject or
-- body, and takes the record of its slot (see above). The function takes the
-- advisory locks of the keys (those of pwreset_rate_limit_allow) in the order of
-- their hashes, so that two calls never wait for each other in a cycle.
CREATE FUNCTION pwreset_add_limited(p_keys text[], p_maxes integer[], p_sinces timestamptz[], p_reasons text[],
    p_suppress text, p_now timestamptz, p_due timestamptz,
    p_kind text, p_user_id text, p_from text, p_to text, p_subject text, p_text text, p_html text,
    OUT id bigint, OUT refused integer)
LANGUAGE plpgsql AS $$
DECLARE
    h integer;
    reason text := p_suppress;
BEGIN
    PERFORM pwreset_require_read_committed();
    FOR h IN SELECT DISTINCT hashtext(k) AS hk FROM unnest(p_keys) AS k ORDER BY hk LOOP
        PERFORM pg_advisory_xact_lock(1886876275, h); -- 1886876275: 'pwrs'
    END LOOP;
    refused := -1;
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        PERFORM FROM pwreset_rate_limits
         WHERE key = p_keys[i] AND at > p_sinces[i] ORDER BY at DESC OFFSET p_maxes[i] - 1 LIMIT 1;
        IF FOUND THEN
            refused := i - 1;
            reason := p_reasons[i];
            EXIT;
        END IF;
    END LOOP;
    IF refused < 0 THEN
        INSERT INTO pwreset_rate_limits (key, at) SELECT k, p_now FROM unnest(p_keys) AS k;
    END IF;
    IF refused < 0 AND reason = '' THEN
        INSERT INTO pwreset_outbox (state, created_at, next_attempt_at,
            kind, user_id, from_address, to_address, subject, body_text, body_html)
        VALUES ('pending', p_now, coalesce(p_due, least(p_now, now())),
            p_kind, p_user_id, p_from, p_to, p_subject, p_text, p_html)
        RETURNING pwreset_outbox.id INTO id;
    ELSE
        INSERT INTO pwreset_outbox AS o (state, created_at, next_attempt_at, finished_at, last_error,
            kind, user_id, from_address, to_address, subject, body_text, body_html, slot)
        VALUES ('suppressed', p_now, p_now, p_now, reason, p_kind, p_user_id, p_from, p_to, '', '', '',
            CASE WHEN p_to = '' THEN 'nobody:' || reason WHEN refused >= 0 THEN p_keys[refused + 1] END)
        ON CONFLICT (slot) WHERE slot IS NOT NULL DO UPDATE SET created_at = excluded.created_at,
            next_attempt_at = excluded.next_attempt_at, finished_at = excluded.finished_at,
            last_error = excluded.last_error, kind = excluded.kind, user_id = excluded.user_id,
            from_address = excluded.from_address, to_address = excluded.to_address
        RETURNING o.id INTO id;
    END IF;
END
$$;
