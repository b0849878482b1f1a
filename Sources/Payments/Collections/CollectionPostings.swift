import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Postgres

/// Payment notices: the money recorded once on the bank's transaction id, booked Dr bank /
/// Cr suspense and applied to exactly the items named — in one transaction, acknowledged after commit.
enum CollectionPostings {
    static func post(_ notice: CollectionPaymentNotice, context: CollectionContext, service: CollectionService) throws -> CollectionService.Result {
        // A notice that could not be committed throws (`GroupCommit.Failure`): the bank is told to try later.
        try reply(to: service.notices.submit(CollectionNoticeBatch.Pending(notice: notice, context: context), schoolID: context.schoolID),
                  context: context, service: service)
    }

    /// `post` without waiting for the commit: the lane's leader calls `reply` after it (docs/callbacks.md §6, ninth round).
    /// With `leaders`, from a thread that must not block: it never leads the batch either (tenth round).
    static func post(_ notice: CollectionPaymentNotice, context: CollectionContext, service: CollectionService,
                     leaders: GroupCommit.Leaders? = nil, reply: @escaping @Sendable (CollectionService.Result) -> Void) {
        let pending = CollectionNoticeBatch.Pending(notice: notice, context: context)
        let finish: @Sendable (CollectionNoticeBatch.Lanes.Answer) -> Void = { answer in
            do {
                reply(try CollectionPostings.reply(to: answer, context: context, service: service))
            } catch {
                reply(service.unavailable(context.description, error))
            }
        }
        service.notices.submit(pending, schoolID: context.schoolID, leaders: leaders, finish: finish)
    }

    /// The reply to a committed notice; throws what kept it from being committed.
    private static func reply(to answer: CollectionNoticeBatch.Lanes.Answer, context: CollectionContext,
                              service: CollectionService) throws -> CollectionService.Result {
        let (payment, numbers) = try answer.get().get()
        return service.reply(context.description, .ok, replyFields(payment, receiptNumbers: numbers))
    }

    /// The same reply for the first notice and every retry: built from the recorded row.
    static func replyFields(_ payment: CollectionPayment, receiptNumbers: [Int64: String]) -> CollectionReplyFields {
        var fields = CollectionReplyFields()
        fields.set("transactionID", payment.bankReference)
        fields.set("applied", payment.applied.dong)
        fields.set("credited", payment.credited.dong)
        fields.set("receiptNumbers", .array(payment.receiptIDs.compactMap { receiptNumbers[$0] }.map { .string($0) }))
        fields.set("exception", payment.exception.map { JSONValue.string($0.rawValue) } ?? .null)
        return fields
    }

    /// Records one notice inside the caller's READ COMMITTED transaction (see `record(_:)`).
    static func record(_ notice: CollectionPaymentNotice, context: CollectionContext, source: String,
                       on connection: PostgresConnection) throws -> CollectionPayment {
        try record([(notice, context)], source: source, on: connection)[0]
    }

    /// Records notices inside the caller's READ COMMITTED transaction, or returns the ones recorded
    /// before under the same bank transaction ids (concurrent duplicates meet at the unique index).
    static func record(_ items: [(notice: CollectionPaymentNotice, context: CollectionContext)], source: String,
                       on connection: PostgresConnection) throws -> [CollectionPayment] {
        try send(items, source: source, on: connection).map { try $0.get().payment }
    }

    /// A notice as a batch recorded it. A new one's last statements (its receipts with their numbers, its
    /// `collection_payments` row) are sent, not awaited: they travel with the COMMIT, so the school's receipt
    /// counter is held for one round trip and the commit (docs/callbacks.md §6, eighth round). `get` reads
    /// them: after the COMMIT (the lane's senders), or inside the transaction, which flushes them.
    struct Recorded: Sendable {
        fileprivate var payment: CollectionPayment
        /// A new payment: its row's id and the receipts written under its payment key.
        fileprivate var sent: (paymentIDs: PostgresPending<[Int64]>, position: Int, receipts: PaymentBatch.SentReceipts, paymentKey: String?)?
        /// A payment recorded before: its receipts' printed numbers, read when it was found.
        fileprivate var numbers: [Int64: String] = [:]

        func get() throws -> (payment: CollectionPayment, receiptNumbers: [Int64: String]) {
            guard let sent else { return (payment, numbers) }
            var payment = payment
            payment.paymentID = try sent.paymentIDs.get()[sent.position]
            let receipts = try sent.paymentKey.map { try sent.receipts.get()[$0] ?? [] } ?? []
            payment.receiptIDs = receipts.map(\.id)
            return (payment, Dictionary(uniqueKeysWithValues: receipts.map { ($0.id, $0.number) }))
        }
    }

    /// `record` with the new notices' last statements left sent (`Recorded`).
    /// Per school: one insert of the money, one ledger batch for bookings and applications, so the
    /// school's hot accounts are locked once for the whole batch.
    static func send(_ items: [(notice: CollectionPaymentNotice, context: CollectionContext)], source: String,
                     on connection: PostgresConnection) throws -> [Recorded] {
        var results = [Recorded?](repeating: nil, count: items.count)
        // Bank accounts in ascending id, statement lock first, as callbacks and imports take them: shared, so
        // another batch of the lane runs beside this one; an import (exclusive) waits for both.
        for account in Set(items.map(\.context.route.bankAccountID)).sorted() {
            try StatementLocks.lockBankAccount(account, mode: .shared, on: connection)
        }
        let bySchool = Dictionary(grouping: items.indices, by: { items[$0].context.schoolID })
        for schoolID in bySchool.keys.sorted() {
            let indices = bySchool[schoolID]!
            let recorded = try recordSchool(indices.map { items[$0] }, schoolID: schoolID, source: source, on: connection)
            for (index, payment) in zip(indices, recorded) { results[index] = payment }
        }
        return results.map { $0! }
    }

    static func transaction(_ notice: CollectionPaymentNotice, _ context: CollectionContext) -> NewBankTransaction {
        NewBankTransaction(
            schoolID: context.schoolID, bankAccountID: context.route.bankAccountID,
            origin: .callback(provider: context.description.connectionProvider, transactionID: notice.transactionID), direction: .incoming,
            amount: Money(dong: notice.amount), bookedOn: VietnamTime.date(of: notice.paidAt), occurredAt: notice.paidAt,
            memo: "Thu hộ \(context.description.provider) \(notice.customerCode ?? notice.items.joined(separator: ","))",
            payerName: nil, bankReference: notice.transactionID)
    }

    private static func recordSchool(_ items: [(notice: CollectionPaymentNotice, context: CollectionContext)], schoolID: Int64, source: String,
                                     on connection: PostgresConnection) throws -> [Recorded] {
        let transactions = items.map { transaction($0.notice, $0.context) }
        // The claim, the school and its facts depend on nothing read before: sent together, with the BEGIN
        // and the locks, they cost one round trip (docs/callbacks.md §6, sixth round).
        let sentClaim = try IncomingBatch.sendClaim(transactions, on: connection)
        let sentSchool = try Schools.sendFind(id: schoolID, on: connection)
        let sentFacts = try IncomingBatch.SchoolFacts.send(schoolID: schoolID, on: connection)
        // So do the pupils the notices name by code, with their invoices locked and read (thirteenth round): for
        // every notice of the batch, before the claim tells which are new — a retry's pupil is read for nothing.
        let sentByCode = try CollectionTarget.sendByCode(items, schoolID: schoolID, on: connection)
        let claimed = try sentClaim.get().fresh
        var ids = [Int64?](repeating: nil, count: items.count)
        for item in claimed { ids[item.index] = item.id }
        let fresh = claimed.map(\.index)
        var payments = [CollectionPayment?](repeating: nil, count: items.count)
        var recorded = [Recorded?](repeating: nil, count: items.count)
        if !fresh.isEmpty {
            guard let school = try sentSchool.get() else { throw LedgerError.unknownSchool(schoolID) }
            let facts = try sentFacts.get(school: school)
            let (resolved, students, locked) = try CollectionTarget.resolve(fresh.map { items[$0] }, byCode: sentByCode, schoolID: schoolID,
                                                                            on: connection)
            var targets: [Int: CollectionTarget] = [:]
            for (index, target) in zip(fresh, resolved) { targets[index] = target }
            // Pupils named by code: their invoices were locked and read when resolving them. Items named otherwise
            // (an inquiry id, invoice numbers): locked and read here, ascending, with the others re-locked.
            let named = targets.values.flatMap { $0.items.map(\.invoiceID) }
            let invoices = named.allSatisfy { locked[$0] != nil } ? locked
                : try PaymentBatch.lockInvoices(schoolID: schoolID, ids: named, on: connection)
            // Two notices for one item in a batch: the second sees what the first took.
            var outstanding = invoices.mapValues { $0.status == .void ? 0 : max(0, $0.outstanding.dong) }
            var requests: [PaymentRequest] = [], owners: [Int] = []
            for index in fresh {
                let (notice, context) = items[index]
                let id = ids[index]!
                var payment = CollectionPayment(
                    paymentID: 0, connectionID: context.route.connectionID, provider: context.description.provider,
                    bankReference: notice.transactionID, bankTransactionID: id, businessDate: transactions[index].bookedOn, paidAt: notice.paidAt,
                    amount: transactions[index].amount, customerCode: String((notice.customerCode ?? "").prefix(CollectionLimits.customerCodeBytesMax)),
                    studentID: targets[index]?.studentIDs.first, applied: .zero, credited: .zero,
                    exception: source == "reconciliation_file" ? .bankOnly : nil, receiptIDs: [], source: source)
                if let target = targets[index] {
                    let plan = CollectionAllocation.plan(amount: notice.amount, items: target.items.map { item in
                        (item.invoiceID, item.inquired, outstanding[item.invoiceID] ?? 0)
                    })
                    for allocation in plan.allocations { outstanding[allocation.invoiceID, default: 0] -= allocation.amount }
                    payment.exception = payment.exception ?? plan.exception
                    requests.append(paymentRequest(notice, context: context, id: id, target: target, plan: plan,
                                                   receivedOn: BankTransactions.openDate(transactions[index].bookedOn, closedThrough: facts.closedThrough)))
                    owners.append(index)
                } else {
                    payment.exception = payment.exception ?? .unidentified
                }
                payments[index] = payment
            }
            let bookings = fresh.map { IncomingBatch.booking(transactions[$0], id: ids[$0]!, facts: facts) }
            // The payment keys name the ids `claim` just drew: none can have been applied before.
            // The invoices were locked and read above to plan the allocations, the pupils named by code when resolving
            // them: not a second time (a round trip fewer per batch, docs/callbacks.md §6, eighth round).
            // The receipts' statement — the one that takes the school's receipt counter — is sent after the bank
            // transactions' rows, and read after the COMMIT it travels with: the reply's receipt numbers come back
            // in its own rows.
            let (results, posted, unsentReceipts) = try PaymentBatch.applyLeavingReceipts(requests, leadingEntries: bookings,
                                                                                          keysAreNew: true, lockedInvoices: invoices,
                                                                                          knownStudents: students,
                                                                                          accountIDs: facts.accountIDs, on: connection)
            var paymentKeys: [Int: String] = [:]
            for (request, (index, result)) in zip(requests, zip(owners, results)) {
                guard case .success = result else {
                    payments[index]!.exception = .applicationRefused
                    continue
                }
                payments[index]!.applied = Money(dong: request.allocations.reduce(0) { $0 + $1.amount.dong })
                payments[index]!.credited = request.credit
                paymentKeys[index] = request.paymentKey
            }
            // The rows written once, complete with their booking entries (no decision: the bank named the items), and
            // each notice with the receipts written under its payment key (read on the server): all three statements
            // travel with the COMMIT, which any error of theirs fails (the first checks its row count on the server).
            try IncomingBatch.sendInsert(transactions, fresh: claimed, status: "provisional", entries: posted.map(\.entryID),
                                         decisions: fresh.map { _ in nil }, on: connection)
            // The notices' rows read the receipts on the server: after them.
            let receipts = try unsentReceipts.send(on: connection)
            let paymentIDs = try CollectionPayments.sendInsert(fresh.map { payments[$0]! }, paymentKeys: fresh.map { paymentKeys[$0] },
                                                               schoolID: schoolID, on: connection)
            for (position, index) in fresh.enumerated() {
                recorded[index] = Recorded(payment: payments[index]!, sent: (paymentIDs, position, receipts, paymentKeys[index]))
            }
        }
        for index in items.indices where ids[index] == nil {
            guard let earlier = try CollectionPayments.find(schoolID: schoolID, provider: items[index].context.description.provider,
                                                            bankReference: items[index].notice.transactionID, on: connection) else {
                throw CollectionPostingError.transactionWithoutNotice(items[index].notice.transactionID)
            }
            // A retry answers the same reply: the receipts' numbers as first given.
            recorded[index] = Recorded(payment: earlier, sent: nil,
                                       numbers: try Receipts.numbers(schoolID: schoolID, ids: earlier.receiptIDs, on: connection))
        }
        return recorded.map { $0! }
    }

    static func paymentRequest(_ notice: CollectionPaymentNotice, context: CollectionContext, id: Int64, target: CollectionTarget,
                               plan: CollectionAllocation.Plan, receivedOn: CalendarDate) -> PaymentRequest {
        let provider = context.description.provider
        return PaymentRequest(
            schoolID: context.schoolID, source: .bankTransaction(id: id, reference: notice.transactionID),
            paymentKey: DecisionApplication.paymentKey(bankTransactionID: id), receivedOn: receivedOn,
            payerName: "Ngân hàng thu hộ (\(provider))", studentIDs: target.studentIDs,
            allocations: plan.allocations.map { PaymentAllocation(invoiceID: $0.invoiceID, amount: Money(dong: $0.amount)) },
            credit: Money(dong: plan.credit), rule: "collection_notice",
            explanation: "Bank collection \(provider) transaction \(notice.transactionID)", recordedBy: "collection:\(provider)")
    }
}

enum CollectionPostingError: Error, CustomStringConvertible {
    case transactionWithoutNotice(String)
    var description: String {
        switch self {
        case .transactionWithoutNotice(let id): return "bank transaction \(id) is recorded without its collection notice"
        }
    }
}

/// The pupil(s) and items a notice names: by the inquiry id (the items and amounts shown), by item
/// ids (invoice numbers), or by a customer code (its open items, oldest due first). nil when it names
/// nothing we know in this school: the money then waits in suspense.
struct CollectionTarget {
    struct Item {
        let invoiceID: Int64
        /// What the inquiry showed as owed; nil when the notice named the item without an inquiry.
        let inquired: Int64?
    }

    let studentIDs: [Int64]
    let items: [Item]

    /// Whether a notice is of the common kind: a customer code (a pupil's code, if it names one), with no
    /// inquiry id or items.
    static func namesByCode(_ notice: CollectionPaymentNotice) -> Bool {
        notice.inquiryID == nil && notice.items.isEmpty && notice.customerCode != nil
    }

    /// The reads `resolve` needs for the notices named by code, sent now (`PostgresConnection.send`): the
    /// pupils with those codes, then their invoices locked (ascending id) and their open ones read — the lock
    /// runs first on the server, so what is read is what is owed once locked. Three statements whatever the
    /// count; a batch sends them with its BEGIN and its claim, in one round trip.
    struct SentByCode {
        let students: PostgresPending<[Student]>
        let unpaid: PostgresPending<[Invoice]>
    }

    static func sendByCode(_ items: [(notice: CollectionPaymentNotice, context: CollectionContext)], schoolID: Int64,
                           on connection: PostgresConnection) throws -> SentByCode {
        let codes = items.filter { namesByCode($0.notice) }.map { $0.notice.customerCode! }
        guard !codes.isEmpty else { return SentByCode(students: PostgresPending(value: []), unpaid: PostgresPending(value: [])) }
        let students = try Students.sendList(schoolID: schoolID, codes: codes, on: connection)
        let named = Students.withCodes(schoolID: schoolID, codes: codes)
        try PaymentBatch.lockInvoices(schoolID: schoolID, ofStudentsIn: named, on: connection)
        return SentByCode(students: students, unpaid: try InvoiceQueries.sendUnpaid(schoolID: schoolID, ofStudentsIn: named, on: connection))
    }

    /// `resolve` for the notices of one school's batch. The common kind (`namesByCode`) is resolved for the
    /// whole batch from `byCode` (`sendByCode`, sent for these notices or more), not with two statements per
    /// notice in the school's commit lane; every other notice, and a code that is no pupil's code, one by one.
    ///
    /// `lockedInvoices` are the open invoices of the pupils named by code, read after their lock, and a batch whose
    /// items are all among them plans over them and locks nothing again (docs/callbacks.md §6, eighth round).
    /// `students`: the pupils read by code, by id — the payment batch need not read them again.
    static func resolve(_ items: [(notice: CollectionPaymentNotice, context: CollectionContext)], byCode: SentByCode, schoolID: Int64,
                        on connection: PostgresConnection) throws
        -> (targets: [CollectionTarget?], students: [Int64: Student], lockedInvoices: [Int64: Invoice]) {
        var students: [String: Student] = [:]
        for student in try byCode.students.get() { students[student.code] = student }
        let unpaid = try byCode.unpaid.get()
        // A listing cut at its bound could miss a pupil's invoices: then every notice alone, as before.
        let complete = unpaid.count < BillingLimits.invoicesPerListingMax
        let open = Dictionary(grouping: unpaid, by: \.studentID) // `unpaid` is oldest due first; grouping keeps that order
        let targets = try items.map { item -> CollectionTarget? in
            let (notice, context) = item
            if complete, namesByCode(notice), let student = students[notice.customerCode!] {
                return CollectionTarget(studentIDs: [student.id],
                                        items: (open[student.id] ?? []).prefix(CollectionLimits.itemsMax).map { Item(invoiceID: $0.id, inquired: nil) })
            }
            return try resolve(notice, context: context, on: connection)
        }
        return (targets, Dictionary(students.values.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
                Dictionary(unpaid.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    static func resolve(_ notice: CollectionPaymentNotice, context: CollectionContext, on connection: PostgresConnection) throws -> CollectionTarget? {
        let schoolID = context.schoolID
        if let text = notice.inquiryID, let token = CollectionInquiryToken.decode(text, secrets: context.route.credentials.secrets),
           token.schoolID == schoolID, try Students.find(schoolID: schoolID, id: token.studentID, on: connection) != nil {
            return CollectionTarget(studentIDs: [token.studentID], items: token.items.map { Item(invoiceID: $0.invoiceID, inquired: $0.amount) })
        }
        if !notice.items.isEmpty {
            var invoices: [Invoice] = []
            for text in notice.items {
                guard let number = try? InvoiceNumber(parsing: text),
                      let invoice = try InvoiceQueries.invoice(schoolID: schoolID, number: number, on: connection) else { continue }
                invoices.append(invoice)
            }
            if !invoices.isEmpty {
                var students: [Int64] = []
                for invoice in invoices where !students.contains(invoice.studentID) { students.append(invoice.studentID) }
                return CollectionTarget(studentIDs: students, items: invoices.map { Item(invoiceID: $0.id, inquired: nil) })
            }
        }
        if let code = notice.customerCode, let owing = try CollectionTargets.open(code: code, schoolID: schoolID, on: connection) {
            return CollectionTarget(studentIDs: [owing.studentID], items: owing.invoices.map { Item(invoiceID: $0.id, inquired: nil) })
        }
        return nil
    }
}

/// How a notice's amount is spread over the items it named (pure): each item in the order named gets
/// what it still owes while money lasts; what is left is the family's credit. The exception says why
/// the money did not exactly pay what was shown.
public enum CollectionAllocation {
    public struct Plan: Equatable, Sendable {
        public var allocations: [(invoiceID: Int64, amount: Int64)]
        public var credit: Int64
        public var exception: CollectionException?

        public static func == (lhs: Plan, rhs: Plan) -> Bool {
            lhs.allocations.map(\.invoiceID) == rhs.allocations.map(\.invoiceID) && lhs.allocations.map(\.amount) == rhs.allocations.map(\.amount)
                && lhs.credit == rhs.credit && lhs.exception == rhs.exception
        }
    }

    /// `items`: (invoice, what the inquiry showed if any, what it owes now), in the order named.
    public static func plan(amount: Int64, items: [(invoiceID: Int64, inquired: Int64?, outstanding: Int64)]) -> Plan {
        var remaining = amount
        var allocations: [(invoiceID: Int64, amount: Int64)] = []
        for item in items where remaining > 0 && item.outstanding > 0 {
            let take = min(remaining, item.outstanding)
            allocations.append((item.invoiceID, take))
            remaining -= take
        }
        let shown = items.reduce(Int64(0)) { $0 + ($1.inquired ?? $1.outstanding) }
        let paidElsewhere = items.contains { $0.outstanding < ($0.inquired ?? $0.outstanding) } || items.allSatisfy { $0.outstanding == 0 }
        let exception: CollectionException? = if paidElsewhere { .itemsPaidElsewhere }
            else if remaining > 0 { .overpaid }
            else if amount < shown { .underpaid }
            else { nil }
        return Plan(allocations: allocations, credit: remaining, exception: exception)
    }
}
