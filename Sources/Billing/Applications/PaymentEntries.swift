import Core
import Ledger
import Postgres

/// The school's accounts payments move money between.
struct PaymentAccounts {
    var cash: Int64
    var suspense: Int64
    var familyCredit: Int64

    static func load(schoolID: Int64, on connection: PostgresConnection) throws -> PaymentAccounts {
        try PaymentAccounts(ids: try send(schoolID: schoolID, on: connection).get())
    }

    /// The account ids' read sent now (`PostgresConnection.send`); `init(ids:)` takes its result.
    static func send(schoolID: Int64, on connection: PostgresConnection) throws -> PostgresPending<[AccountPurpose: Int64]> {
        try LedgerQueries.sendAccountIDs(schoolID: schoolID, purposes: purposes, on: connection)
    }

    /// The accounts payments move money between, as `LedgerQueries.accountIDs` purposes.
    static let purposes: [AccountPurpose] = [.cash, .suspense, .familyCredit]

    /// The account debited for money from `source`, and the dimensions of that posting.
    func debit(_ source: PaymentSource, holder: PaymentApplication.CreditHolder) -> (Int64, PostingDimensions) {
        switch source {
        case .cash: return (cash, .none)
        case .bankTransaction(let id, _): return (suspense, PostingDimensions(bankTransactionID: id))
        case .familyCredit: return (familyCredit, holder.dimensions)
        }
    }
}

/// The ledger entry of one application.
enum PaymentEntries {
    /// Dr the source (cash, suspense of the bank transaction, or family credit);
    /// Cr the invoice's receivable (student, family, invoice) or, for money kept, the family credit.
    static func entry(_ request: PaymentRequest, _ planned: PaymentApplication.Planned, accounts: PaymentAccounts,
                      holder: PaymentApplication.CreditHolder, invoices: [Int64: Invoice]) -> JournalEntryRequest {
        let (debitAccount, debitDimensions) = accounts.debit(request.source, holder: holder)
        let credit: PostingRequest
        let description: String
        if let invoiceID = planned.invoiceID {
            let invoice = invoices[invoiceID]!
            credit = PostingRequest(accountID: invoice.receivableAccountID, amount: planned.amount.negated,
                                    dimensions: PostingDimensions(studentID: planned.studentID, familyID: planned.familyID, invoiceID: invoiceID))
            description = "\(verb(request.source)) hóa đơn \(invoice.number.text), học sinh \(invoice.studentCode)"
        } else {
            credit = PostingRequest(accountID: accounts.familyCredit, amount: planned.amount.negated, dimensions: holder.dimensions)
            description = "\(verb(request.source)): tiền thừa giữ làm số dư của " + (holder.familyID == nil ? "học sinh" : "gia đình")
        }
        return JournalEntryRequest(
            schoolID: request.schoolID, effectiveDate: request.receivedOn, kind: request.source.entryKind, description: description,
            idempotencyKey: "payment:\(request.paymentKey):\(planned.ordinal)",
            references: EntryReferences(invoiceID: planned.invoiceID, bankTransactionID: request.source.bankTransactionID),
            postings: [PostingRequest(accountID: debitAccount, amount: planned.amount, dimensions: debitDimensions), credit])
    }

    /// The one entry of a bank transaction's arrival and its whole application, when `booking` is that
    /// transaction's booking (Dr bank / Cr suspense of the transaction, dated as the payment) and the payment
    /// applies all of it in one application: Dr bank / Cr what the application credits, under the booking's
    /// kind and key — one entry and two postings where there were two and four (docs/callbacks.md §6,
    /// fifteenth round). nil when they do not fit; each is then posted alone. Unapplying such an application
    /// is `Applications.unapply`'s second way.
    static func merged(booking: JournalEntryRequest, application: JournalEntryRequest, accounts: PaymentAccounts) -> JournalEntryRequest? {
        guard let transactionID = booking.references.bankTransactionID, booking.kind == .paymentReceived,
              booking.references.reversesEntryID == nil, booking.postings.count == 2, application.postings.count == 2,
              booking.effectiveDate == application.effectiveDate, booking.schoolID == application.schoolID else { return nil }
        let (arrival, parked) = (booking.postings[0], booking.postings[1])
        let (taken, credited) = (application.postings[0], application.postings[1])
        guard arrival.amount.dong > 0, parked.accountID == accounts.suspense, parked.dimensions.bankTransactionID == transactionID,
              taken.accountID == accounts.suspense, taken.dimensions.bankTransactionID == transactionID,
              taken.amount == arrival.amount, parked.amount == credited.amount, credited.amount == arrival.amount.negated else { return nil }
        return JournalEntryRequest(schoolID: booking.schoolID, effectiveDate: booking.effectiveDate, kind: booking.kind,
                                   description: application.description, idempotencyKey: booking.idempotencyKey,
                                   references: EntryReferences(invoiceID: application.references.invoiceID, bankTransactionID: transactionID),
                                   postings: [arrival, credited])
    }

    /// Whether an application's entry is its money's arrival too (`merged`): its kind is the booking's,
    /// never that of an application posted alone (`PaymentSource.entryKind`).
    static func isMerged(_ entry: RecordedEntry) -> Bool { entry.kind == .paymentReceived }

    static func verb(_ source: PaymentSource) -> String {
        switch source {
        case .cash: return "Thu tiền mặt"
        case .bankTransaction: return "Thu chuyển khoản"
        case .familyCredit: return "Cấn trừ số dư"
        }
    }
}

extension PaymentAccounts {
    /// The accounts from `LedgerQueries.accountIDs`' answer; a missing one is a refusal naming it.
    init(ids: [AccountPurpose: Int64]) throws {
        func id(_ purpose: AccountPurpose) throws -> Int64 {
            guard let id = ids[purpose] else { throw BillingError.accountMismatch("the school has no active \(purpose.rawValue) account") }
            return id
        }
        self.init(cash: try id(.cash), suspense: try id(.suspense), familyCredit: try id(.familyCredit))
    }
}
