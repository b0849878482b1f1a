import Billing
import Core
import Postgres

/// The temporary tables of one import (dropped at commit or rollback) and the set-based SQL that
/// deduplicates the staged lines against every line imported before.
///
/// Each staged line ends in one class: `new`, `known` (its key was imported before with the same
/// date and amount), `repeated` (the same reference earlier in this file, same date and amount),
/// `conflict` (the key exists with another date or amount), or — set by `CallbackConfirmation` —
/// `confirmed` (it confirms a provisional callback).
enum StatementStaging {
    static let copyColumns = """
        seq, statement_index, source_line, xml_path, booked_on, value_date, amount, bank_reference, customer_reference, memo, \
        stored_memo, normalized_memo, payer_name, payer_account, key_base, is_fee, codes, dedup_key, account_candidates
        """

    static func create(on connection: PostgresConnection) throws {
        try connection.simpleQuery(unsafeSQL: """
            CREATE TEMPORARY TABLE statement_staging (
                seq integer PRIMARY KEY,
                statement_index integer NOT NULL,
                source_line integer NOT NULL,
                xml_path text,
                booked_on date NOT NULL,
                value_date date,
                amount bigint NOT NULL,
                bank_reference text,
                customer_reference text,
                memo text NOT NULL,
                stored_memo text NOT NULL,
                normalized_memo text NOT NULL,
                payer_name text,
                payer_account text,
                key_base text NOT NULL,
                is_fee boolean NOT NULL,
                codes text[],
                dedup_key text,
                account_candidates text[],
                virtual_account text,
                class text NOT NULL DEFAULT 'new',
                existing_line_id bigint,
                existing_amount bigint,
                existing_booked_on date,
                callback_id bigint
            ) ON COMMIT DROP;
            CREATE TEMPORARY TABLE statement_batch (
                seq integer NOT NULL,
                bank_transaction_id bigint NOT NULL,
                entry_id bigint NOT NULL,
                decision text
            ) ON COMMIT DROP
            """)
    }

    /// Appends lines to the staging table in one COPY.
    static func copy(_ lines: [StagedLine], on connection: PostgresConnection) throws {
        try connection.copyFrom(PostgresQuery(unsafeSQL: "COPY statement_staging (\(copyColumns)) FROM STDIN")) { writer in
            for line in lines { try writer.append(row: line.copyRow) }
        }
    }

    /// Gives fingerprints their occurrence index, then classes every line against the lines
    /// imported before for this bank account and against the earlier lines of the file.
    static func classify(schoolID: Int64, bankAccountID: Int64, on connection: PostgresConnection) throws {
        try connection.simpleQuery(unsafeSQL: "ANALYZE statement_staging")
        // The n-th identical line of a day in the file: the same fingerprint, numbered in file order.
        try connection.query("""
            UPDATE statement_staging s SET dedup_key = s.key_base || '#' || n.occurrence
            FROM (SELECT seq, row_number() OVER (PARTITION BY key_base ORDER BY seq) AS occurrence
                  FROM statement_staging WHERE dedup_key IS NULL) n
            WHERE s.seq = n.seq
            """)
        try connection.query("""
            UPDATE statement_staging s
            SET class = CASE WHEN l.amount = s.amount AND l.booked_on = s.booked_on THEN 'known' ELSE 'conflict' END,
                existing_line_id = l.line_id, existing_amount = l.amount, existing_booked_on = l.booked_on
            FROM statement_lines l
            WHERE l.school_id = \(schoolID) AND l.bank_account_id = \(bankAccountID) AND l.dedup_key = s.dedup_key
            """)
        // Only reference keys can repeat inside a file: fingerprints are numbered.
        try connection.query("""
            UPDATE statement_staging s
            SET class = CASE WHEN f.amount = s.amount AND f.booked_on = s.booked_on THEN 'repeated' ELSE 'conflict' END,
                existing_amount = f.amount, existing_booked_on = f.booked_on
            FROM (SELECT DISTINCT ON (dedup_key) seq, dedup_key, amount, booked_on FROM statement_staging
                  WHERE dedup_key IN (SELECT dedup_key FROM statement_staging GROUP BY dedup_key HAVING count(*) > 1)
                  ORDER BY dedup_key, seq) f
            WHERE s.dedup_key = f.dedup_key AND s.seq > f.seq AND s.class = 'new'
            """)
    }

    /// Lines per class; among new lines, credits with and without payment codes, debits and fees.
    struct ClassCounts {
        var byClass: [String: Int] = [:]
        var newCreditsTargeted = 0
        var newCreditsUntargeted = 0
        var newDebits = 0
        var newFees = 0

        func count(_ name: String) -> Int { byClass[name] ?? 0 }
    }

    static func counts(on connection: PostgresConnection) throws -> ClassCounts {
        var counts = ClassCounts()
        for row in try connection.query("""
            SELECT class, count(*)::bigint,
                   count(*) FILTER (WHERE amount > 0 AND NOT is_fee AND codes IS NOT NULL)::bigint,
                   count(*) FILTER (WHERE amount > 0 AND NOT is_fee AND codes IS NULL)::bigint,
                   count(*) FILTER (WHERE amount < 0 AND NOT is_fee)::bigint,
                   count(*) FILTER (WHERE is_fee)::bigint
            FROM statement_staging GROUP BY class
            """) {
            let (name, total, targeted, untargeted, debits, fees) = try row.decode((String, Int, Int, Int, Int, Int).self)
            counts.byClass[name] = total
            if name == "new" {
                counts.newCreditsTargeted = targeted
                counts.newCreditsUntargeted = untargeted
                counts.newDebits = debits
                counts.newFees = fees
            }
        }
        return counts
    }

    /// The first `limit` conflicting lines, in file order.
    static func conflicts(limit: Int, on connection: PostgresConnection) throws -> [ConflictingLine] {
        try connection.query("""
            SELECT source_line, xml_path, dedup_key, booked_on, amount, existing_booked_on, existing_amount, existing_line_id
            FROM statement_staging WHERE class = 'conflict' ORDER BY seq LIMIT \(limit)
            """).map { row in
            let (line, path, key, booked, amount, existingBooked, existingAmount, existingLine) =
                try row.decode((Int, String?, String, CalendarDate, Int64, CalendarDate, Int64, Int64?).self)
            return ConflictingLine(line: line, xmlPath: path, dedupKey: key, bookedOn: booked, amount: amount,
                                   existingBookedOn: existingBooked, existingAmount: existingAmount, existingLineID: existingLine)
        }
    }

    /// A new credit line naming exactly one student's virtual account (among its candidate words)
    /// carries it, as a callback's virtual account field would, and goes to `IncomingBatch.applyBooked`
    /// with the coded lines (an empty code list marks it so). Two students named: none is chosen.
    static func recognizeVirtualAccounts(schoolID: Int64, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE statement_staging s SET virtual_account = m.account, codes = coalesce(s.codes, '{}')
            FROM (SELECT l.seq, min(st.virtual_account) AS account, count(DISTINCT st.student_id) AS students
                  FROM statement_staging l
                  \(BillingReads.virtualAccountHoldersJoin(as: "st", school: schoolID, among: "l.account_candidates"))
                  WHERE l.class = 'new' AND l.amount > 0 AND NOT l.is_fee AND l.account_candidates IS NOT NULL
                  GROUP BY l.seq) m
            WHERE s.seq = m.seq AND m.students = 1
            """)
    }

    /// Which of `candidates` are virtual accounts of the school's students (for notification lines,
    /// which are not staged: a line naming exactly one carries it, as `recognizeVirtualAccounts` decides).
    static func studentVirtualAccounts(schoolID: Int64, among candidates: [String], on connection: PostgresConnection) throws -> Set<String> {
        try Students.virtualAccounts(schoolID: schoolID, among: candidates, on: connection)
    }

    /// The virtual accounts recognised on new lines: their students' invoices are locked like coded ones.
    static func newVirtualAccounts(on connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT DISTINCT virtual_account FROM statement_staging WHERE class = 'new' AND virtual_account IS NOT NULL ORDER BY 1
            """).map { try $0.decode(column: 0, as: String.self) }
    }

    /// The distinct valid payment codes on new credit lines: what the import may apply automatically.
    static func newCodes(on connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT DISTINCT code FROM statement_staging, unnest(codes) AS code WHERE class = 'new' ORDER BY 1
            """).map { try $0.decode(column: 0, as: String.self) }
    }

    /// The first and last booking dates of the new lines; nil when there are none.
    static func newDateRange(on connection: PostgresConnection) throws -> ClosedRange<CalendarDate>? {
        let row = try connection.query("SELECT min(booked_on), max(booked_on) FROM statement_staging WHERE class = 'new'").singleRow()!
        let (first, last) = try row.decode((CalendarDate?, CalendarDate?).self)
        guard let first, let last else { return nil }
        return first...last
    }
}
