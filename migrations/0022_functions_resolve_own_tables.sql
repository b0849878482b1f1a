-- Two ways the application role could get round the ledger's own checks, closed:
--
--   * Functions resolved unqualified table names through the caller's search_path, in which a
--     session's temporary schema comes first: a temporary table named `schools` (with no closed
--     period) or `postings` could stand in for ours inside the entry and postings checks. Every
--     function of this schema now resolves names in `public` first and `pg_temp` last (as
--     ledger_change_period always did). Left out: ledger_acting_as_owner and
--     ledger_balance_shards, which name only the system catalogs (always searched first) and are
--     evaluated per row, where a function-level setting would cost a configuration swap per call.
--   * The balance guard let through every write at trigger depth 1 or more, and the application
--     role can reach depth 1 with a trigger of its own on a temporary table. The postings trigger
--     now writes balances as the owner (SECURITY DEFINER), and the guard refuses a write made
--     outside a trigger, or by a trigger running as a session's user who is not the owner.
--
-- EntryCheckPlacementTests checks that every function added later states its search_path too.

-- Called only when the guard triggers' WHEN clause (below) has decided to refuse.
CREATE OR REPLACE FUNCTION ledger_guard_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'balances change only through postings' USING ERRCODE = 'TU003';
END $$;

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
               AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
               AND p.proname NOT IN ('ledger_acting_as_owner', 'ledger_balance_shards')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
               AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS c(setting)
                               WHERE c.setting LIKE 'search\_path=%')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
    END LOOP;
END $$;

ALTER FUNCTION ledger_postings_inserted() SECURITY DEFINER;

-- A write to a balance is refused unless a trigger makes it (depth above 0) and that trigger is
-- the postings trigger: a SECURITY DEFINER function of the owner, so it runs as someone other than
-- the session's user whenever the program connects as the application role. A trigger the
-- application role wrote for itself runs as that role, the session's user, and is refused. Only
-- when the session's user is the writer (the owner's own session, or a deployment that gives the
-- program the owner's role, where triggers protect nothing anyway) is the owner check asked, per
-- row; the common case is decided by built-in functions the executor evaluates without calling
-- PL/pgSQL (a statement trigger or an owner check on every row cost the ledger a fifth of its
-- entries per second).
DROP TRIGGER account_balances_guard ON account_balances;
DROP TRIGGER dimension_balances_guard ON dimension_balances;
CREATE TRIGGER account_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON account_balances
    FOR EACH ROW WHEN (pg_trigger_depth() = 0
                       OR (current_user = session_user AND NOT ledger_acting_as_owner('account_balances'::regclass)))
    EXECUTE FUNCTION ledger_guard_balances();
CREATE TRIGGER dimension_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON dimension_balances
    FOR EACH ROW WHEN (pg_trigger_depth() = 0
                       OR (current_user = session_user AND NOT ledger_acting_as_owner('dimension_balances'::regclass)))
    EXECUTE FUNCTION ledger_guard_balances();
