-- Server processes keep the routes of bank callbacks and collection requests (connection, receiving
-- accounts, active secrets) in memory so a delivery does not pay a database transaction before its
-- school's commit lane (docs/callbacks.md §6, seventh round: the server's CPU per request). A cache
-- must forget a retired secret, a removed connection or a moved account at once: every change to the
-- three tables a route is built from notifies the channel `tuition_bank_connections` when its
-- transaction commits, and each server's listener empties its caches on that notification
-- (`ConnectionChanges`). NOTIFY needs no privilege, so the application role's own changes
-- (`tuition connection rotate` ...) notify as well; identical notifications of one transaction are
-- delivered once.

CREATE FUNCTION bank_connections_notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('tuition_bank_connections', TG_TABLE_NAME);
    RETURN NULL;
END $$;

CREATE TRIGGER bank_connections_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bank_connections
    FOR EACH STATEMENT EXECUTE FUNCTION bank_connections_notify_change();
CREATE TRIGGER bank_connection_accounts_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bank_connection_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION bank_connections_notify_change();
CREATE TRIGGER bank_connection_secrets_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bank_connection_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION bank_connections_notify_change();
