-- Announces the changes every alurd instance must see at once: when a
-- statement changes accounts (users, machine clients), holidays or the SLA
-- policy, a NOTIFY on channel alurd_change carries the topic ("accounts",
-- "holidays", "policy"), sent by PostgreSQL only when the transaction commits
-- (and once per topic per transaction). Each instance LISTENs on one
-- connection of its own (server/changes.c) and refreshes what it caches; the
-- periodic refresh stays as the safety net. Statement triggers, so a bulk
-- change is one notification; UPDATE only of the columns an instance caches,
-- so a login (which rehashes a password) announces nothing. Another table
-- joins with one more trigger calling alurd_notify_change('<topic>').
CREATE FUNCTION alurd_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alurd_change', TG_ARGV[0]);
    RETURN NULL;
END
$$;

CREATE TRIGGER users_change_notify
    AFTER INSERT OR DELETE OR UPDATE OF role, agency_id, active, tokens_valid_after ON users
    FOR EACH STATEMENT EXECUTE FUNCTION alurd_notify_change('accounts');
CREATE TRIGGER clients_change_notify
    AFTER INSERT OR DELETE OR UPDATE OF agency_id, revoked_at ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION alurd_notify_change('accounts');
CREATE TRIGGER holidays_change_notify
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON holidays
    FOR EACH STATEMENT EXECUTE FUNCTION alurd_notify_change('holidays');
CREATE TRIGGER sla_policies_change_notify
    AFTER INSERT OR DELETE OR UPDATE ON sla_policies
    FOR EACH STATEMENT EXECUTE FUNCTION alurd_notify_change('policy');
