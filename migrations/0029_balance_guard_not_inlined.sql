-- The balance guards' WHEN clause (0022) names ledger_acting_as_owner(), a SQL function. PostgreSQL
-- prepares a trigger's WHEN clause afresh for every statement that writes the table, and tries to
-- inline each SQL function it calls: it parsed and analysed this function's body (a query of
-- pg_class) for every statement writing balances — twice per ledger batch, ~1.4 % of the
-- database's CPU under callbacks — only to find the body not inlinable (it has a subquery). As
-- PL/pgSQL it is never considered for inlining; it is still called only where it was (a session
-- writing balances as itself), and answers the same.
CREATE OR REPLACE FUNCTION ledger_acting_as_owner(table_oid oid) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = table_oid), 'USAGE');
END $$;
