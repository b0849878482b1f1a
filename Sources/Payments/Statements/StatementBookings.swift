import Core
import Foundation
import Ledger
import Postgres
import Reconciliation
import Synchronization

/// Books the new lines in batches of `bookingBatchLines`: each line becomes a bank transaction
/// (origin `statement`, confirmed) with its booking entry, posted through `LedgerWriter` a batch
/// at a time, exactly as `IncomingBatch` books a callback's: Dr bank / Cr suspense for money in,
/// Dr suspense / Cr bank for money out (dimension bank_transaction), dated the booking day or the
/// first open day. Recognised bank charges are booked Dr bank fees / Cr bank (a refunded charge the
/// other way) and never reach suspense.
///
/// Money in without a valid payment code cannot be applied automatically: its decision is the
/// matcher's on an empty context — what `IncomingBatch.applyBooked` would store for a line without a code — and is written with
/// the row. Money in with a code is left for `StatementApplications`, which runs the real thing.
struct StatementBookings: Sendable {
    let schoolID: Int64
    let bankAccountID: Int64
    let importID: Int64
    let accounts: Accounts
    let closedThrough: CalendarDate?
    /// The matcher's context for transactions that name nobody: no students, no invoices.
    let emptyContext: MatchContext

    struct Accounts: Sendable {
        var bank: Int64
        var suspense: Int64
        var bankFees: Int64
    }

    /// A new line as read back from the staging table.
    struct Line: Sendable {
        var seq: Int
        var bookedOn: CalendarDate
        var amount: Int64
        var memo: String
        var payerName: String?
        var isFee: Bool
        var hasCodes: Bool
    }

    /// Books every new line; returns the ids of the credit transactions with payment codes, ascending.
    func run(total: Int, progress: StatementImporter.Progress?, on connection: PostgresConnection) throws -> [Int64] {
        var coded: [Int64] = []
        var after = 0
        var booked = 0
        while true {
            let lines = try nextLines(after: after, on: connection)
            guard let last = lines.last else { break }
            coded += try book(lines, on: connection)
            booked += lines.count
            after = last.seq
            progress?(.booked(lines: booked, of: total))
        }
        precondition(booked == total, "booked \(booked) of \(total) new lines")
        return coded
    }

    func nextLines(after seq: Int, on connection: PostgresConnection) throws -> [Line] {
        try connection.query("""
            SELECT seq, booked_on, amount, stored_memo, payer_name, is_fee, codes IS NOT NULL FROM statement_staging
            WHERE class = 'new' AND seq > \(seq) ORDER BY seq LIMIT \(StatementImportLimits.bookingBatchLines)
            """).map { row in
            let (seq, booked, amount, memo, payer, fee, coded) = try row.decode((Int, CalendarDate, Int64, String, String?, Bool, Bool).self)
            return Line(seq: seq, bookedOn: booked, amount: amount, memo: memo, payerName: payer, isFee: fee, hasCodes: coded)
        }
    }

    /// One batch: ids from the bank transactions' own sequence, the entries, then the rows. The
    /// decisions are encoded on another thread while the database records the entries.
    func book(_ lines: [Line], on connection: PostgresConnection) throws -> [Int64] {
        let ids = try nextTransactionIDs(lines.count, on: connection)
        let entries = zip(lines, ids).map { entry(for: $0, id: $1) }
        let encoding = DecisionEncoding(start: { try zip(lines, ids).map { try decision(for: $0, id: $1) } })
        let posted: [PostedEntry]
        do {
            posted = try LedgerWriter.post(entries, on: connection)
        } catch {
            _ = try? encoding.wait()
            throw error
        }
        precondition(posted.allSatisfy { !$0.replayed }, "a new bank transaction's booking was already in the ledger")
        let decisions = try encoding.wait()
        try connection.simpleQuery(unsafeSQL: "TRUNCATE statement_batch")
        try connection.copyFrom(PostgresQuery(unsafeSQL: "COPY statement_batch (seq, bank_transaction_id, entry_id, decision) FROM STDIN")) { writer in
            for index in lines.indices {
                try writer.append(row: [String(lines[index].seq), String(ids[index]), String(posted[index].entryID), decisions[index]])
            }
        }
        // Fresh statistics re-plan the joins below for this batch (a plan cached for an earlier,
        // emptier table turned them into nested scans of the staging table).
        try connection.simpleQuery(unsafeSQL: "ANALYZE statement_batch")
        try insertRows(on: connection)
        return zip(lines, ids).filter { $0.0.hasCodes }.map(\.1)
    }

    /// `count` new ids, ascending, so transactions are numbered in file order.
    func nextTransactionIDs(_ count: Int, on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("""
            SELECT nextval(pg_get_serial_sequence('bank_transactions', 'bank_transaction_id')) FROM generate_series(1, \(count))
            """).map { try $0.decode(column: 0, as: Int64.self) }.sorted()
    }

    func entry(for line: Line, id: Int64) -> JournalEntryRequest {
        let effective = BankTransactions.openDate(line.bookedOn, closedThrough: closedThrough)
        return BankBooking.entry(schoolID: schoolID, transactionID: id, effectiveDate: effective, signed: Money(dong: line.amount),
                                 bankLedgerAccountID: accounts.bank, counterpartAccountID: line.isFee ? accounts.bankFees : accounts.suspense,
                                 kind: line.isFee ? .bankFee : .paymentReceived, description: StatementBookings.description(line))
    }

    /// The stored decision of an incoming line without codes; nil for everything else.
    func decision(for line: Line, id: Int64) throws -> String? {
        guard line.amount > 0, !line.isFee, !line.hasCodes else { return nil }
        let input = MatchTransaction(id: id, amount: Money(dong: line.amount), bookingDate: line.bookedOn, memo: line.memo,
                                     payerName: line.payerName)
        let decision = emptyContext.match(input)
        precondition(!decision.isAutomatic, "a transaction naming nobody was decided automatically")
        return DecisionStore.json(decision)
    }

    func insertRows(on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO bank_transactions (school_id, bank_transaction_id, bank_account_id, origin, direction, amount, booked_on, memo,
                                           normalized_memo, payer_name, payer_account, virtual_account, bank_reference, status,
                                           confirmed_at, entry_id, match_decision)
            OVERRIDING SYSTEM VALUE
            SELECT \(schoolID), b.bank_transaction_id, \(bankAccountID), 'statement', CASE WHEN s.amount > 0 THEN 'in' ELSE 'out' END,
                   abs(s.amount), s.booked_on, s.stored_memo, s.normalized_memo, s.payer_name, s.payer_account, s.virtual_account,
                   CASE WHEN length(s.bank_reference) <= \(StatementImportLimits.transactionReferenceCharactersMax) THEN s.bank_reference END,
                   'confirmed', now(), b.entry_id, b.decision::json
            FROM statement_batch b JOIN statement_staging s ON s.seq = b.seq ORDER BY b.bank_transaction_id
            """)
        try connection.query("""
            INSERT INTO statement_lines (school_id, bank_account_id, import_id, dedup_key, booked_on, value_date, amount, bank_reference,
                                         customer_reference, memo, bank_transaction_id, outcome)
            SELECT \(schoolID), \(bankAccountID), \(importID), s.dedup_key, s.booked_on, s.value_date, s.amount, s.bank_reference,
                   s.customer_reference, s.memo, b.bank_transaction_id, 'new'
            FROM statement_batch b JOIN statement_staging s ON s.seq = b.seq ORDER BY b.bank_transaction_id
            """)
    }

    /// "Received 1.500.000 đ by bank: <memo>", "Bank fee 22.000 đ: <memo>", within the ledger's description bytes.
    static func description(_ line: Line) -> String {
        let amount = MoneyFormat.vietnamese(Money(dong: abs(line.amount)))
        let head: String
        switch (line.isFee, line.amount > 0) {
        case (true, true): head = "Bank fee refunded \(amount)"
        case (true, false): head = "Bank fee \(amount)"
        case (false, true): head = "Received \(amount) by bank"
        case (false, false): head = "Paid out \(amount) by bank"
        }
        guard !line.memo.isEmpty else { return head }
        var text = head + ": "
        var count = 0
        for character in line.memo {
            guard count < StatementImportLimits.descriptionMemoCharactersMax,
                  text.utf8.count + character.utf8.count <= LedgerLimits.descriptionBytesMax else { break }
            text.append(character)
            count += 1
        }
        return text
    }
}

/// Work running on its own thread while the caller waits on the database; `wait` returns its result.
final class DecisionEncoding: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<[String?], any Error>?>(nil)

    init(start work: @escaping @Sendable () throws -> [String?]) {
        Thread.detachNewThread { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    func wait() throws -> [String?] {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
