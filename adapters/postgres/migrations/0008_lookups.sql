-- Issue 21: two look-ups whose cost grew within a run (docs/performance.md).
--
-- A limit of 2147483647 events (ports.Limit.Max clamped to int32, which
-- the use cases give a limit that only records: the daily cap off, an operator's
-- links) is never reached, so its events are not read. Migration 0004's look-up,
-- ORDER BY at DESC OFFSET p_maxes[i] - 1, reads every event of the key in its
-- window when fewer than the limit are there: for such a limit, all of them, so
-- that each link to a user cost a scan and a sort of all that user's links of
-- the day (2.3 ms at 7,500 of them in docs/performance.md's end-to-end run).
-- Reaching 2147483647 events of one key in a day would take 24,855 a second all
-- day long. Every other look-up reads at most the limit's events: a refused link
-- counts none. Otherwise this is migration 0004's function, replaced in place (a
-- catalogue change: callers keep calling it, 0006's function through it).
CREATE OR REPLACE FUNCTION pwreset_add_limited(p_keys text[], p_maxes integer[], p_sinces timestamptz[], p_reasons text[],
    p_suppress text, p_now timestamptz, p_due timestamptz,
    p_kind text, p_user_id text, p_from text, p_to text, p_subject text, p_text text, p_html text,
    p_keep_body boolean, OUT id bigint, OUT refused integer)
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
        CONTINUE WHEN p_maxes[i] = 2147483647;
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
        IF NOT p_keep_body THEN
            p_subject := ''; p_text := ''; p_html := '';
        END IF;
        INSERT INTO pwreset_outbox AS o (state, created_at, next_attempt_at, finished_at, last_error,
            kind, user_id, from_address, to_address, subject, body_text, body_html, slot)
        VALUES ('suppressed', p_now, p_now, p_now, reason, p_kind, p_user_id, p_from, p_to, p_subject, p_text, p_html,
            CASE WHEN p_to = '' THEN 'nobody:' || reason WHEN refused >= 0 THEN p_keys[refused + 1] END)
        ON CONFLICT (slot) WHERE slot IS NOT NULL DO UPDATE SET created_at = excluded.created_at,
            next_attempt_at = excluded.next_attempt_at, finished_at = excluded.finished_at,
            last_error = excluded.last_error, kind = excluded.kind, user_id = excluded.user_id,
            from_address = excluded.from_address, to_address = excluded.to_address,
            subject = excluded.subject, body_text = excluded.body_text, body_html = excluded.body_html
        RETURNING o.id INTO id;
    END IF;
END
$$;

-- Migration 0006's function, its traceparent stamp finding the message by its key:
-- with 'pending' written out, the generic plan plpgsql keeps after five calls can
-- prove the predicate of pwreset_outbox_due and, made while that index was small,
-- read all of it for the id on every call (each dead entry since the last vacuum;
-- see Outbox.settle). A variable is a parameter of the plan, which proves nothing.
CREATE OR REPLACE FUNCTION pwreset_add_limited(p_keys text[], p_maxes integer[], p_sinces timestamptz[], p_reasons text[],
    p_suppress text, p_now timestamptz, p_due timestamptz,
    p_kind text, p_user_id text, p_from text, p_to text, p_subject text, p_text text, p_html text,
    p_keep_body boolean, p_traceparent text, OUT id bigint, OUT refused integer)
LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
    pending text := 'pending';
BEGIN
    SELECT a.id, a.refused INTO added, refused FROM pwreset_add_limited(p_keys, p_maxes, p_sinces, p_reasons,
        p_suppress, p_now, p_due, p_kind, p_user_id, p_from, p_to, p_subject, p_text, p_html, p_keep_body) AS a;
    id := added;
    IF p_traceparent <> '' THEN
        UPDATE pwreset_outbox AS o SET traceparent = p_traceparent WHERE o.id = added AND o.state = pending;
    END IF;
END
$$;
