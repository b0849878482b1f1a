import Core
import Ledger
import Postgres

/// Applies many payments of one school in a handful of statements, inside the caller's READ
/// COMMITTED transaction — for bank callbacks committed in groups and for statement imports.
///
/// The rules are `PaymentApplication`'s: invoices are locked (ascending id) before the ledger's
/// accounts, allocations never exceed what an invoice still owes (earlier payments of the same
/// batch count), one receipt per student paid with gapless numbers, one ledger entry per
/// application — shared with the booking when it applies a new bank transaction's whole amount.
/// A payment that fails its checks is left out with its error; the others apply.
/// `leadingEntries` (e.g. the bookings Dr bank / Cr suspense of new bank transactions) go to the
/// ledger in the same batch, so the school's hot accounts are locked once.
public enum PaymentBatch {
    public static let paymentsMax = 5_000

    /// The account purposes `apply(accountIDs:)` takes (`LedgerQueries.accountIDs` of these).
    public static var accountPurposes: [AccountPurpose] { PaymentAccounts.purposes }

    public struct Applied: Hashable, Sendable {
        public let paymentKey: String
        public let applicationCount: Int
        public let receiptCount: Int
        /// True when the key had been applied before: nothing was written for it now.
        public let replayed: Bool
        /// The receipts written for this payment (one per student paid), ascending; empty when replayed.
        public var receiptIDs: [Int64] = []
    }

    /// One result per request, in order; the leading entries' results come back separately.
    ///
    /// `keysAreNew`: every payment key names something created in this very transaction (a bank
    /// transaction whose id was just drawn from its identity), so no earlier application can carry
    /// it and the look-up of replayed keys — a statement per batch on the callback path — is skipped.
    /// The unique index on (school, payment key, ordinal) still refuses a repeat.
    ///
    /// `lockedInvoices`: invoices the caller read earlier in this transaction after locking them — as
    /// `lockInvoices` returns them, or read after `lockInvoices(ofStudents:)` (bank collection notices
    /// and the callbacks' matcher plan over them); when they cover every allocation, they are not locked
    /// and read a second time.
    ///
    /// `knownStudents`: students the caller read earlier in this transaction (a matcher's view); only the
    /// others are read. `accountIDs`: `LedgerQueries.accountIDs` of the school's cash, suspense and family
    /// credit accounts, read earlier in this transaction; nil reads them.
    ///
    /// `readsReceipts`: false leaves the receipts and applications sent, not awaited (they travel with the
    /// caller's next statement or its COMMIT) and `Applied.receiptIDs` empty — for callers that do not
    /// report receipts. Callers that send other writes of their transaction after the payments, or report
    /// receipts after their commit, use `applyLeavingReceipts`.
    public static func apply(_ requests: [PaymentRequest], leadingEntries: [JournalEntryRequest], keysAreNew: Bool = false,
                             lockedInvoices: [Int64: Invoice]? = nil, knownStudents: [Int64: Student] = [:],
                             accountIDs: [AccountPurpose: Int64]? = nil, readsReceipts: Bool = true,
                             on connection: PostgresConnection) throws -> (payments: [Result<Applied, BillingError>], leading: [PostedEntry]) {
        let (written, leading, unsent) = try applyLeavingReceipts(requests, leadingEntries: leadingEntries, keysAreNew: keysAreNew,
                                                                  lockedInvoices: lockedInvoices, knownStudents: knownStudents,
                                                                  accountIDs: accountIDs, on: connection)
        let sent = try unsent.send(on: connection)
        var results = written
        if readsReceipts {
            let receipts = try sent.get()
            for index in results.indices {
                guard case .success(var applied) = results[index], !applied.replayed else { continue }
                applied.receiptIDs = (receipts[applied.paymentKey] ?? []).map(\.id)
                results[index] = .success(applied)
            }
        }
        return (results, leading)
    }

    /// A receipt as the batch wrote it: its id and printed number (`2026/000123`), what a bank shows its customer.
    public struct IssuedReceipt: Hashable, Sendable {
        public let id: Int64
        public let number: String
    }

    /// The receipts a batch wrote, as the statement that numbered them returned them: read when the caller
    /// needs them — after its COMMIT, for a caller that replies with them (bank collection notices), so the
    /// receipt counter is not held across a round trip for them (docs/callbacks.md §6, eighth round).
    public struct SentReceipts: Sendable {
        let pending: [PostgresPending<[(key: String, receipt: IssuedReceipt)]>]

        /// By payment key, ascending id. Reading a statement not yet flushed flushes the connection's
        /// pipeline, so call it on the thread that owns the connection unless the transaction has ended.
        public func get() throws -> [String: [IssuedReceipt]] {
            var receipts: [String: [IssuedReceipt]] = [:]
            for sent in pending {
                for (key, receipt) in try sent.get() { receipts[key, default: []].append(receipt) }
            }
            return receipts.mapValues { $0.sorted { $0.id < $1.id } }
        }
    }

    /// The receipts and applications a batch planned, not yet written: `send` writes them in the statement
    /// that takes the school's receipt counter — the one row every batch of the school writes, held from that
    /// statement to the COMMIT. A caller sends its other writes first, so a second batch in flight waits for
    /// the counter only while this one's last statement runs and its commit flushes (docs/callbacks.md §6,
    /// tenth round). Until sent, the batch's payments are in the ledger without their applications: the
    /// caller must send it in the same transaction.
    public struct UnsentReceipts: Sendable {
        let payments: [(PaymentRequest, [PaymentApplication.Planned])]
        let entries: [PostedEntry]

        /// Nothing to write: a batch that applied no payment.
        public static let none = UnsentReceipts(payments: [], entries: [])

        /// Sends the statement now (`PostgresConnection.send`); it travels with the caller's next statement or COMMIT.
        public func send(on connection: PostgresConnection) throws -> SentReceipts {
            SentReceipts(pending: try sendReceiptsAndApplications(payments, entries: entries, on: connection))
        }
    }

    /// `apply` that leaves the receipts and applications unwritten (`UnsentReceipts`) for the caller to send
    /// after its other writes: `Applied.receiptIDs` stay empty and the receipts come from what `send` returns.
    public static func applyLeavingReceipts(_ requests: [PaymentRequest], leadingEntries: [JournalEntryRequest], keysAreNew: Bool = false,
                                            lockedInvoices: [Int64: Invoice]? = nil, knownStudents: [Int64: Student] = [:],
                                            accountIDs: [AccountPurpose: Int64]? = nil, on connection: PostgresConnection) throws
        -> (payments: [Result<Applied, BillingError>], leading: [PostedEntry], receipts: UnsentReceipts) {
        precondition(requests.count <= paymentsMax, "payment batch larger than \(paymentsMax)")
        guard let schoolID = requests.first?.schoolID ?? leadingEntries.first?.schoolID else {
            return ([], [], .none)
        }
        precondition(requests.allSatisfy { $0.schoolID == schoolID && $0.source != .familyCredit })
        var results = [Result<Applied, BillingError>?](repeating: nil, count: requests.count)
        for (index, request) in requests.enumerated() {
            do { try PaymentApplication.validate(request) } catch { results[index] = .failure(error) }
        }
        var seenKeys = Set<String>()
        for (index, request) in requests.enumerated() where results[index] == nil && !seenKeys.insert(request.paymentKey).inserted {
            results[index] = .failure(.idempotencyConflict(key: request.paymentKey)) // one key, one payment, even within a batch
        }
        let replayed = keysAreNew ? [] : try replayedKeys(schoolID: schoolID, keys: requests.map(\.paymentKey), on: connection)
        for (index, request) in requests.enumerated() where results[index] == nil && replayed.contains(request.paymentKey) {
            results[index] = .success(Applied(paymentKey: request.paymentKey, applicationCount: 0, receiptCount: 0, replayed: true))
        }
        let live = requests.indices.filter { results[$0] == nil }
        let allocated = live.flatMap { requests[$0].allocations.map(\.invoiceID) }
        // Locks, invoices, students and accounts sent together: one round trip (the locks run first on the server).
        let sentInvoices = try lockedInvoices.flatMap { locked in allocated.allSatisfy { locked[$0] != nil } ? PostgresPending(value: locked) : nil }
            ?? sendLockInvoices(schoolID: schoolID, ids: allocated, on: connection)
        let sentStudents = try Students.sendList(schoolID: schoolID, ids: live.flatMap { requests[$0].studentIDs }.filter { knownStudents[$0] == nil },
                                                 on: connection)
        let sentAccounts = try accountIDs.map { PostgresPending(value: $0) } ?? PaymentAccounts.send(schoolID: schoolID, on: connection)
        let invoices = try sentInvoices.get()
        // The students read are those not known: added to the known ones, which are not copied when none was read.
        var students = knownStudents
        for student in try sentStudents.get() { students[student.id] = student }
        let accounts = try PaymentAccounts(ids: try sentAccounts.get())
        var remaining = invoices.mapValues(\.outstanding)
        var plans: [(index: Int, planned: [PaymentApplication.Planned], holder: PaymentApplication.CreditHolder)] = []
        for index in live {
            let request = requests[index]
            do {
                let holder = try check(request, invoices: invoices, students: students, remaining: &remaining)
                plans.append((index, PaymentApplication.plan(request, invoices: invoices, students: students, holder: holder), holder))
            } catch {
                results[index] = .failure(error)
            }
        }
        // A payment that applies a new bank transaction's whole amount in one application is posted in one entry
        // with its booking (`PaymentEntries.merged`); `slots` gives each application its entry's position.
        var entries = leadingEntries
        var bookingOf: [Int64: Int] = [:]
        for (position, entry) in leadingEntries.enumerated() {
            if let id = entry.references.bankTransactionID { bookingOf[id] = position }
        }
        var slots: [Int] = []
        for plan in plans {
            let request = requests[plan.index]
            let own = plan.planned.map { PaymentEntries.entry(request, $0, accounts: accounts, holder: plan.holder, invoices: invoices) }
            if own.count == 1, let id = request.source.bankTransactionID, let position = bookingOf.removeValue(forKey: id),
               let merged = PaymentEntries.merged(booking: entries[position], application: own[0], accounts: accounts) {
                entries[position] = merged
                slots.append(position)
            } else {
                slots += entries.count..<entries.count + own.count
                entries += own
            }
        }
        // A batch of up to `paymentsMax` payments, each of up to 200 allocations, may exceed what one ledger call takes.
        var posted: [PostedEntry] = []
        for start in stride(from: 0, to: entries.count, by: LedgerLimits.entriesPerBatchMax) {
            posted += try LedgerWriter.post(Array(entries[start..<min(start + LedgerLimits.entriesPerBatchMax, entries.count)]), on: connection)
        }
        // The receipt counter — the one row every batch of the school writes — is taken last, after the
        // balances, by the statement that writes the receipts and the applications, which the caller sends
        // after its own writes: held from the batch's last statement to its commit.
        let unsent = UnsentReceipts(payments: plans.map { (requests[$0.index], $0.planned) }, entries: slots.map { posted[$0] })
        for plan in plans {
            let request = requests[plan.index]
            results[plan.index] = .success(Applied(paymentKey: request.paymentKey, applicationCount: plan.planned.count,
                                                   receiptCount: Set(plan.planned.map(\.studentID)).count, replayed: false))
        }
        return (results.map { $0! }, Array(posted.prefix(leadingEntries.count)), unsent)
    }

    static func replayedKeys(schoolID: Int64, keys: [String], on connection: PostgresConnection) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return Set(try connection.query("""
            SELECT DISTINCT payment_key FROM payment_applications WHERE school_id = \(schoolID) AND payment_key = ANY(\(PostgresTextArray(keys)))
            """).map { try $0.decode(column: 0, as: String.self) })
    }

    /// Locks every invoice (ascending id), then reads them with their ledger facts. Public for callers
    /// that must plan allocations over what is owed once locked (bank collection notices).
    public static func lockInvoices(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> [Int64: Invoice] {
        try sendLockInvoices(schoolID: schoolID, ids: ids, on: connection).get()
    }

    /// `lockInvoices` sent now and read later (`PostgresConnection.send`): the lock and the read travel
    /// together, in this order.
    public static func sendLockInvoices(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> PostgresPending<[Int64: Invoice]> {
        let sorted = Array(Set(ids)).sorted()
        guard !sorted.isEmpty else { return PostgresPending(value: [:]) }
        try connection.write("""
            SELECT invoice_id FROM invoices WHERE school_id = \(schoolID) AND invoice_id = ANY(\(PostgresInt64Array(sorted)))
            ORDER BY invoice_id FOR UPDATE
            """)
        return try connection.send("""
            \(unescaped: InvoiceQueries.selectSQL) WHERE school_id = \(schoolID) AND invoice_id = ANY(\(PostgresInt64Array(sorted)))
            """) { rows in
            var invoices: [Int64: Invoice] = [:]
            for row in rows {
                let invoice = try InvoiceQueries.decode(row)
                invoices[invoice.id] = invoice
            }
            return invoices
        }
    }

    /// Locks every invoice of these students, in ascending id, written now (`PostgresConnection.write`): it
    /// travels with the next statement, which runs after it on the server — so a read sent next sees every
    /// payment of those invoices committed by a concurrent transaction. A matcher deciding on them
    /// (callbacks, two batches of a school in flight: docs/callbacks.md §6, seventh round) takes it before
    /// reading them; `apply` then re-locks only rows this transaction already holds.
    public static func lockInvoices(schoolID: Int64, ofStudents studentIDs: [Int64], on connection: PostgresConnection) throws {
        let sorted = Array(Set(studentIDs)).sorted()
        guard !sorted.isEmpty else { return }
        try lockInvoices(schoolID: schoolID, students: "student_id = ANY(\(PostgresInt64Array(sorted)))", on: connection)
    }

    /// Locks, in ascending id, every invoice of the students a fragment selects, written now like
    /// `lockInvoices(ofStudents:)`: it runs before the next statement sent. A statement import locks those
    /// its transfers can reach (`Students.reached`: the named students and their siblings, a superset of
    /// what their applications will touch) before it books its lines; a batch of payment notices those of
    /// the pupils its codes name (`Students.withCodes`), with its first reads (`Students.studentIDIn`: by index).
    public static func lockInvoices(schoolID: Int64, ofStudentsIn selected: PostgresFragment, on connection: PostgresConnection) throws {
        try lockInvoices(schoolID: schoolID, students: Students.studentIDIn(selected), on: connection)
    }

    /// The one statement of both: the school's invoices whose `students` condition holds, locked in ascending id.
    private static func lockInvoices(schoolID: Int64, students: PostgresFragment, on connection: PostgresConnection) throws {
        try connection.write("""
            SELECT invoice_id FROM invoices WHERE school_id = \(schoolID) AND \(students)
            ORDER BY invoice_id FOR UPDATE
            """)
    }

    /// The checks of `PaymentApplication`, against what earlier payments of the batch left owing.
    static func check(_ request: PaymentRequest, invoices: [Int64: Invoice], students: [Int64: Student],
                      remaining: inout [Int64: Money]) throws(BillingError) -> PaymentApplication.CreditHolder {
        for id in request.studentIDs where students[id] == nil { throw BillingError.unknownStudent("id \(id)") }
        var taken: [Int64: Money] = [:]
        for allocation in request.allocations {
            guard let invoice = invoices[allocation.invoiceID] else { throw BillingError.unknownInvoice("id \(allocation.invoiceID)") }
            guard request.studentIDs.contains(invoice.studentID) else {
                throw BillingError.allocationInvalid("invoice \(invoice.number.text) belongs to a student not among this payment's")
            }
            guard invoice.status != .void else { throw BillingError.invoiceNotPayable("invoice \(invoice.number.text) is void") }
            let owing = remaining[invoice.id] ?? .zero
            guard allocation.amount <= owing else {
                throw BillingError.allocationExceedsOutstanding(invoice: invoice.number.text, amount: allocation.amount,
                                                                outstanding: Money(dong: max(0, owing.dong)))
            }
            taken[invoice.id] = allocation.amount
        }
        for (id, amount) in taken { remaining[id] = Money(dong: remaining[id]!.dong - amount.dong) }
        return PaymentApplication.CreditHolder(students[request.studentIDs[0]]!)
    }

    /// One receipt per student paid per payment, numbered in one counter reservation per school year, and
    /// every application with its ledger entry and receipt: per school year ONE statement, sent now
    /// (`PostgresConnection.send`), that reserves the numbers (`BillingCounter.reservation`), inserts the
    /// receipts and then the applications naming them. Its handle gives (payment key, receipt id and printed number).
    /// `entries`: the posted entries, one per planned application, in order.
    static func sendReceiptsAndApplications(_ payments: [(PaymentRequest, [PaymentApplication.Planned])], entries: [PostedEntry],
                                            on connection: PostgresConnection) throws -> [PostgresPending<[(key: String, receipt: IssuedReceipt)]>] {
        precondition(payments.reduce(0) { $0 + $1.1.count } == entries.count, "one ledger entry per application")
        var byYear: [Int: [(request: PaymentRequest, planned: [PaymentApplication.Planned], entries: ArraySlice<PostedEntry>)]] = [:]
        var next = entries.startIndex
        for (request, planned) in payments {
            byYear[request.receivedOn.calendarMonth.schoolYear, default: []].append((request, planned, entries[next..<next + planned.count]))
            next += planned.count
        }
        return try byYear.sorted(by: { $0.key < $1.key }).map { year, payments in
            try sendReceiptsAndApplications(year: year, payments, on: connection)
        }
    }

    private static func sendReceiptsAndApplications(year: Int, _ payments: [(request: PaymentRequest, planned: [PaymentApplication.Planned],
                                                                             entries: ArraySlice<PostedEntry>)],
                                                    on connection: PostgresConnection) throws -> PostgresPending<[(key: String, receipt: IssuedReceipt)]> {
        // The receipts: one per (payment, student paid), students in the order the payment first pays them.
        var receipts: [(request: PaymentRequest, student: Int64, amount: Int64)] = []
        for (request, planned, _) in payments {
            var order: [Int64] = []
            var amounts: [Int64: Int64] = [:]
            for application in planned {
                if amounts[application.studentID] == nil { order.append(application.studentID) }
                amounts[application.studentID, default: 0] += application.amount.dong
            }
            receipts += order.map { (request, $0, amounts[$0]!) }
        }
        let schoolID = payments[0].request.schoolID
        let methods = receipts.map { row -> (String, Int64?, String?) in
            if case .bankTransaction(let id, let reference) = row.request.source { return ("bank", id, reference) }
            return ("cash", nil, nil)
        }
        let applications = payments.flatMap { payment in zip(payment.planned, payment.entries).map { (payment.request, $0.0, $0.1.entryID) } }
        let reservation = BillingCounter.reservation(.receiptNumber, schoolID: schoolID, schoolYear: year, count: receipts.count)
        return try connection.send("""
            WITH reserved AS (\(reservation)),
            receipt AS (
                INSERT INTO receipts (school_id, school_year, number, payment_key, student_id, payer_name, method, bank_transaction_id,
                                      bank_reference, amount, received_on, recorded_by)
                SELECT \(schoolID), \(year), reserved.before + u.n, u.k, u.s, u.p, u.m, u.b, u.r, u.a, u.d::date, u.w
                FROM reserved,
                     unnest(\(PostgresTextArray(receipts.map(\.request.paymentKey))), \(PostgresInt64Array(receipts.map(\.student))),
                            \(PostgresTextArray(receipts.map { StudentRules.collapse($0.request.payerName) })),
                            \(PostgresTextArray(methods.map(\.0))), \(PostgresNullableInt64Array(methods.map(\.1))),
                            \(PostgresNullableTextArray(methods.map(\.2))), \(PostgresInt64Array(receipts.map(\.amount))),
                            \(PostgresTextArray(receipts.map(\.request.receivedOn.iso))), \(PostgresTextArray(receipts.map(\.request.recordedBy))))
                     WITH ORDINALITY AS u(k, s, p, m, b, r, a, d, w, n)
                RETURNING payment_key, student_id, receipt_id, number),
            applied AS (
                INSERT INTO payment_applications (school_id, payment_key, ordinal, source, bank_transaction_id, student_id, family_id,
                                                  invoice_id, amount, entry_id, receipt_id, rule, explanation)
                SELECT \(schoolID), u.k, u.o::smallint, u.src, u.bt, u.s, u.f, u.i, u.a, u.e, receipt.receipt_id, u.rule, u.x
                FROM unnest(\(PostgresTextArray(applications.map(\.0.paymentKey))), \(PostgresInt64Array(applications.map { Int64($0.1.ordinal) })),
                            \(PostgresTextArray(applications.map(\.0.source.name))), \(PostgresNullableInt64Array(applications.map(\.0.source.bankTransactionID))),
                            \(PostgresInt64Array(applications.map(\.1.studentID))), \(PostgresNullableInt64Array(applications.map(\.1.familyID))),
                            \(PostgresNullableInt64Array(applications.map(\.1.invoiceID))), \(PostgresInt64Array(applications.map(\.1.amount.dong))),
                            \(PostgresInt64Array(applications.map(\.2))), \(PostgresTextArray(applications.map(\.0.rule))),
                            \(PostgresTextArray(applications.map(\.0.explanation))))
                     AS u(k, o, src, bt, s, f, i, a, e, rule, x)
                JOIN receipt ON receipt.payment_key = u.k AND receipt.student_id = u.s
                RETURNING 1)
            -- Every application found its receipt (checked on the server, so the statement need not be awaited).
            -- The numbers too: a caller replying with them reads no receipt again (docs/callbacks.md §6, eighth round).
            SELECT receipt.payment_key, receipt.receipt_id, receipt.number
            FROM receipt, (SELECT expect_row_count((SELECT count(*) FROM applied), \(Int64(applications.count)), 'payment_applications')) checked
            """) { rows in
            try rows.map { row in
                let (key, id, number) = try row.decode((String, Int64, Int).self)
                return (key, IssuedReceipt(id: id, number: InvoiceNumber(schoolYear: year, sequence: number).text))
            }
        }
    }
}
