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
--     now writes balances as the owner (SECURITY DEFINER), and the guard refuses a write at depth 0,
--     or at any depth unless it runs as the table's owner.
--
-- HistoryProtectionTests checks that every function added later states its search_path too.

-- Called only when the trigger's WHEN clause has decided to refuse (below).
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

DROP TRIGGER account_balances_guard ON account_balances;
DROP TRIGGER dimension_balances_guard ON dimension_balances;
CREATE TRIGGER account_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON account_balances
    FOR EACH ROW WHEN (pg_trigger_depth() = 0 OR NOT ledger_acting_as_owner('account_balances'::regclass))
    EXECUTE FUNCTION ledger_guard_balances();
CREATE TRIGGER dimension_balances_guard BEFORE INSERT OR UPDATE OR DELETE ON dimension_balances
    FOR EACH ROW WHEN (pg_trigger_depth() = 0 OR NOT ledger_acting_as_owner('dimension_balances'::regclass))
    EXECUTE FUNCTION ledger_guard_balances();
