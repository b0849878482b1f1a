import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres

/// The accountant's suspense queue at the terminal: the same operations as `/v1/schools/{school}/suspense`.
enum SuspenseCommand {
    static let usage = """
        Usage: tuition suspense list --school CODE
               tuition suspense accept --school CODE --transaction ID [--proposal N] [--explanation TEXT]
               tuition suspense apply --school CODE --transaction ID --invoice NUMBER=DONG [--invoice ...] [--explanation TEXT]
               tuition suspense unapply --school CODE --transaction ID --application ID --reason TEXT
               tuition suspense refund --school CODE --transaction ID --reason TEXT
               tuition suspense not-tuition --school CODE --transaction ID --reason TEXT [--account CODE]
               tuition suspense reverse --school CODE --transaction ID --reason TEXT

        list         bank transactions with money no invoice or decision accounts for, with the
                     matcher's ranked proposals (numbered from 1)
        accept       applies proposal N (default 1) of the transaction as listed now
        apply        applies amounts to invoices (NUMBER is 2026/000123 or the invoice's payment code)
        unapply      undoes one application (a reversal entry); the money is back in suspense
        refund       marks what is left as due back to its sender
        not-tuition  moves what is left to another account (default: the school's account of purpose other)
        reverse      reverses the transaction's refund or not-tuition decision
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = reader.positional()
        let schoolCode = try reader.requiredOption("--school")
        if action == "list" {
            try reader.finish()
            return try list(schoolCode: schoolCode)
        }
        guard let transactionID = try reader.option("--transaction", { try parseInt($0, 1...Int.max) }) else {
            throw UsageError(message: "missing or unknown action, or missing --transaction", usage: usage)
        }
        let decision: Decision
        switch action {
        case "accept":
            decision = .accept(rank: try reader.option("--proposal") { try parseInt($0, 1...Suspense.proposalRankMax) } ?? 1,
                               explanation: try reader.option("--explanation"))
        case "apply":
            decision = .apply(invoices: try reader.repeatedOption("--invoice").map(parseAllocation),
                              explanation: try reader.option("--explanation") ?? "Kế toán xác định hóa đơn")
        case "unapply":
            let application = try parseInt(try reader.requiredOption("--application"), 1...Int.max)
            decision = .unapply(applicationID: Int64(application), reason: try reader.requiredOption("--reason"))
        case "refund": decision = .refund(reason: try reader.requiredOption("--reason"))
        case "not-tuition": decision = .notTuition(account: try reader.option("--account"), reason: try reader.requiredOption("--reason"))
        case "reverse": decision = .reverse(reason: try reader.requiredOption("--reason"))
        default: throw UsageError(message: "missing or unknown action", usage: usage)
        }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        do {
            print(try session.transaction { try decide(decision, transactionID: Int64(transactionID), session: session, on: $0) })
        } catch let error as SuspenseError {
            throw CommandFailure(message: error.description)
        }
    }

    enum Decision {
        case accept(rank: Int, explanation: String?)
        case apply(invoices: [(invoice: String, amount: Money)], explanation: String)
        case unapply(applicationID: Int64, reason: String)
        case refund(reason: String)
        case notTuition(account: String?, reason: String)
        case reverse(reason: String)
    }

    /// Carries out one decision in the caller's transaction; returns the line to print.
    static func decide(_ decision: Decision, transactionID: Int64, session: BillingSession, on connection: PostgresConnection) throws -> String {
        let school = session.school.id
        let actor = BillingSession.actor
        switch decision {
        case .accept(let rank, let explanation):
            guard let result = try Suspense.accept(school: session.school, transactionID: transactionID, rank: rank, explanation: explanation,
                                                   recordedBy: actor, on: connection) else {
                throw CommandFailure(message: "transaction \(transactionID) has no proposal \(rank); run 'tuition suspense list'")
            }
            return paid(result)
        case .apply(let invoices, let explanation):
            guard !invoices.isEmpty else { throw CommandFailure(message: "apply needs at least one --invoice NUMBER=DONG") }
            let allocations = try invoices.map { PaymentAllocation(invoiceID: try session.invoice($0.invoice, on: connection).id, amount: $0.amount) }
            let request = SuspenseApplicationRequest(allocations: allocations, explanation: explanation)
            return paid(try Suspense.apply(schoolID: school, transactionID: transactionID, request, recordedBy: actor, on: connection))
        case .unapply(let applicationID, let reason):
            let undone = try Suspense.unapply(schoolID: school, transactionID: transactionID, applicationID: applicationID, reason: reason,
                                              on: connection)
            return "application \(undone.applicationID) undone by reversal entry \(undone.reversalEntryID): \(undone.amount) back in suspense"
        case .refund(let reason):
            return decided(try Suspense.markRefundDue(schoolID: school, transactionID: transactionID, reason: reason, decidedBy: actor,
                                                      on: connection))
        case .notTuition(let account, let reason):
            return decided(try Suspense.markNotTuition(schoolID: school, transactionID: transactionID,
                                                       account: account.map(SuspenseAccountChoice.code) ?? .purpose(.other), reason: reason,
                                                       decidedBy: actor, on: connection))
        case .reverse(let reason):
            let reversed = try Suspense.reverseDisposition(schoolID: school, transactionID: transactionID, reason: reason, on: connection)
            return "\(reversed.kind.rawValue) of transaction \(transactionID) reversed by entry \(reversed.reversalEntryID.map(String.init) ?? "-")"
        }
    }

    static func list(schoolCode: String) throws {
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let (listing, numbers) = try session.pool.withConnection { connection in
            let listing = try Suspense.list(school: session.school, on: connection)
            return (listing, try invoiceNumbers(listing, schoolID: session.school.id, on: connection))
        }
        for entry in listing.entries {
            let transaction = entry.transaction
            print("transaction \(transaction.id)  \(transaction.bookedOn)  \(transaction.direction.rawValue)  \(transaction.amount)"
                  + "  left \(entry.remaining)  \(entry.ageDays) days" + (entry.isCertain ? "  certain" : ""))
            print("    memo: \(transaction.memo)" + (transaction.payerName.map { "  payer: \($0)" } ?? ""))
            for (index, proposal) in entry.proposals.enumerated() {
                let invoices = proposal.allocations.map { "invoice \(numbers[$0.invoiceID] ?? String($0.invoiceID)) \($0.amount)" }.joined(separator: ", ")
                print("    \(index + 1). [\(proposal.rule), score \(proposal.score)] \(invoices)"
                      + (proposal.credit.isPositive ? "; credit \(proposal.credit)" : "") + " — \(proposal.explanation)")
            }
        }
        print("\(listing.incomingCount) incoming (\(listing.incomingTotal)), \(listing.outgoingCount) outgoing (\(listing.outgoingTotal))"
              + (listing.isTruncated ? "; only the oldest \(Suspense.entriesMax) listed" : ""))
    }

    /// The numbers (`2026/000123`) of the invoices the proposals name, by id.
    static func invoiceNumbers(_ listing: SuspenseListing, schoolID: Int64, on connection: PostgresConnection) throws -> [Int64: String] {
        let ids = Set(listing.entries.flatMap { $0.proposals.flatMap { $0.allocations.map(\.invoiceID) } })
        return try InvoiceQueries.numbers(schoolID: schoolID, ids: ids.sorted(), on: connection).mapValues(\.text)
    }

    static func paid(_ result: PaymentApplicationResult) -> String {
        let parts = result.applications.map { application in
            (application.invoiceID.map { "invoice \($0)" } ?? "credit of student \(application.studentID)") + " \(application.amount)"
        }
        return (result.replayed ? "already applied: " : "applied: ") + parts.joined(separator: ", ")
            + (result.receiptIDs.isEmpty ? "" : "; receipts " + result.receiptIDs.map(String.init).joined(separator: ", "))
    }

    static func decided(_ disposition: SuspenseDisposition) -> String {
        "\(disposition.kind.rawValue): \(disposition.amount) of transaction \(disposition.transactionID), entry \(disposition.entryID)"
    }

    /// `NUMBER=DONG`, e.g. `2026/000123=500.000` or `HP7KQ2M9X=500000`.
    static func parseAllocation(_ text: String) throws -> (invoice: String, amount: Money) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw CommandFailure(message: "--invoice '\(text)' is not NUMBER=DONG")
        }
        return (String(text[..<equals]), try BillingSession.parseAmount(String(text[text.index(after: equals)...])))
    }
}
