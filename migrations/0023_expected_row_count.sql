-- A statement that must write exactly the rows it was given checks it on the server, so a client
-- pipeline can send COMMIT right behind it (docs/callbacks.md §6, sixth round): a group-commit batch's
-- `bank_transactions` insert skips, with ON CONFLICT DO NOTHING, a provider transaction that another
-- transaction recorded meanwhile, and the batch must then roll back whole and be retried delivery by
-- delivery. Checked by the client after the insert, that cost a round trip of its own before COMMIT;
-- checked here, the failure aborts the pipeline and the server skips the COMMIT.
--
--   WITH inserted AS (INSERT ... RETURNING 1) SELECT expect_row_count((SELECT count(*) FROM inserted), $n, 'bank_transactions')

CREATE FUNCTION expect_row_count(actual bigint, expected bigint, what text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF actual <> expected THEN
        RAISE EXCEPTION '%: % rows written, % expected (recorded by another transaction meanwhile?)', what, actual, expected
            USING ERRCODE = 'TU023';
    END IF;
END $$;
