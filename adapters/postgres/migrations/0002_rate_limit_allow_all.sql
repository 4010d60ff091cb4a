-- pwreset_rate_limit_allow_all records an event at p_now of each key p_keys names,
-- all or none: only if, for each i, fewer than p_limits[i] events of p_keys[i]
-- were recorded after p_sinces[i]. Otherwise it records nothing and returns the
-- (0-based) index of the first limit without room and the time of the event whose
-- leaving the window makes room, as pwreset_rate_limit_allow does for one key.
-- It takes the advisory locks of all the keys, in the order of their hashes so
-- that two calls never wait for each other in a cycle; the limits are exact under
-- races, and one call is one round trip however many limits a request has.
CREATE FUNCTION pwreset_rate_limit_allow_all(p_keys text[], p_limits integer[], p_sinces timestamptz[],
    p_now timestamptz, OUT refused integer, OUT blocking timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    h integer;
BEGIN
    FOR h IN SELECT DISTINCT hashtext(k) AS hk FROM unnest(p_keys) AS k ORDER BY hk LOOP
        PERFORM pg_advisory_xact_lock(1886876275, h); -- 1886876275: 'pwrs', as pwreset_rate_limit_allow
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        SELECT at INTO blocking FROM pwreset_rate_limits
         WHERE key = p_keys[i] AND at > p_sinces[i] ORDER BY at DESC OFFSET p_limits[i] - 1 LIMIT 1;
        IF FOUND THEN
            refused := i - 1;
            RETURN;
        END IF;
    END LOOP;
    INSERT INTO pwreset_rate_limits (key, at) SELECT k, p_now FROM unnest(p_keys) AS k;
    refused := -1;
    blocking := NULL;
END
$$;
