-- Issue 22: ports.Message.TraceParent, the W3C traceparent of the request that queued
-- a message, so that its delivery joins that request's trace. It names no one and
-- holds no secret; '' when tracing is off.
ALTER TABLE pwreset_outbox ADD COLUMN traceparent text NOT NULL DEFAULT '';

-- Migration 0004's function with the traceparent, which a pending message keeps:
-- the same call, then the stamp, in its one transaction. 0004's function stays, for
-- instances of that version during a rolling upgrade.
CREATE FUNCTION pwreset_add_limited(p_keys text[], p_maxes integer[], p_sinces timestamptz[], p_reasons text[],
    p_suppress text, p_now timestamptz, p_due timestamptz,
    p_kind text, p_user_id text, p_from text, p_to text, p_subject text, p_text text, p_html text,
    p_keep_body boolean, p_traceparent text, OUT id bigint, OUT refused integer)
LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    SELECT a.id, a.refused INTO added, refused FROM pwreset_add_limited(p_keys, p_maxes, p_sinces, p_reasons,
        p_suppress, p_now, p_due, p_kind, p_user_id, p_from, p_to, p_subject, p_text, p_html, p_keep_body) AS a;
    id := added;
    IF p_traceparent <> '' THEN
        UPDATE pwreset_outbox AS o SET traceparent = p_traceparent WHERE o.id = added AND o.state = 'pending';
    END IF;
END
$$;
