import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Postgres

/// Reversals: within the connection's cut-off (the business day of the payment, or N more days with
/// the connection parameter `reversalCutoffDays`), every application of the notice is unapplied and
/// its booking reversed by reversal entries, once; a notice paid in one entry with its arrival
/// (`PaymentBatch`) has that one entry reversed. A retry answers the same success.
enum CollectionReversals {
    /// The connection parameter naming how many days after the business day a reversal is still taken.
    static let cutoffParameter = "reversalCutoffDays"
    static let cutoffDaysMax = 31

    enum Refusal: Error {
        case unknownTransaction, cutoffPassed, cannotReverse(String)
    }

    static func reverse(_ reversal: CollectionReversalRequest, context: CollectionContext, service: CollectionService) throws -> CollectionService.Result {
        let description = context.description
        do {
            let payment = try service.pool.transaction(isolation: .readCommitted) { connection in
                try reverse(reversal, context: context, on: connection)
            }
            var fields = CollectionReplyFields()
            fields.set("transactionID", payment.bankReference)
            fields.set("amount", payment.amount.dong)
            return service.reply(description, .ok, fields)
        } catch let refusal as Refusal {
            switch refusal {
            case .unknownTransaction: return service.reply(description, .unknownTransaction, reason: "never recorded")
            case .cutoffPassed: return service.reply(description, .cutoffPassed, reason: "past the cut-off")
            case .cannotReverse(let why): return service.reply(description, .cannotReverse, reason: why)
            }
        }
    }

    static func cutoffDays(_ parameters: [String: String]) -> Int {
        guard let text = parameters[cutoffParameter], let days = Int(text), (0...cutoffDaysMax).contains(days) else { return 0 }
        return days
    }

    static func reverse(_ request: CollectionReversalRequest, context: CollectionContext, on connection: PostgresConnection) throws -> CollectionPayment {
        let schoolID = context.schoolID
        guard let payment = try CollectionPayments.find(schoolID: schoolID, provider: context.description.provider,
                                                        bankReference: request.transactionID, lock: true, on: connection) else {
            throw Refusal.unknownTransaction
        }
        if payment.reversedAt != nil { return payment }
        let today = VietnamTime.date(of: context.now)
        guard today <= payment.businessDate.adding(days: cutoffDays(context.route.credentials.parameters)) else { throw Refusal.cutoffPassed }
        let school = try Schools.find(id: schoolID, on: connection)!
        let date = BankTransactions.openDate(today, closedThrough: school.closedThrough)
        guard let booking = try BankTransactions.find(schoolID: schoolID, id: payment.bankTransactionID, on: connection)?.entryID else {
            throw CollectionPostingError.transactionWithoutNotice(payment.bankReference)
        }
        let key = "collection-reversal:\(payment.bankTransactionID)"
        let description = "Ngân hàng hủy giao dịch thu hộ \(payment.bankReference)"
        let applications = try Applications.list(schoolID: schoolID, bankTransactionID: payment.bankTransactionID, on: connection)
        var undoneWithArrival: Int64?
        for application in applications where application.unappliedByEntryID == nil {
            let result = Result { () throws(BillingError) in
                // Posted with the arrival (one entry): its reversal undoes both, the money's arrival included.
                if application.entryID == booking {
                    undoneWithArrival = try Applications.reverseWithArrival(
                        schoolID: schoolID, applicationID: application.applicationID, effectiveDate: date, idempotencyKey: key,
                        description: description, on: connection).reversalEntryID
                    return
                }
                _ = try Applications.unapply(schoolID: schoolID, applicationID: application.applicationID,
                                             reason: "Ngân hàng hủy giao dịch \(request.reversalID)", effectiveDate: date, on: connection)
            }
            if case .failure(let error) = result {
                // Credit kept from this payment and already spent cannot be taken back by the bank.
                if case .allocationInvalid(let why) = error { throw Refusal.cannotReverse(why) }
                throw error
            }
        }
        let merged = applications.contains { $0.entryID == booking }
        let posted = try undoneWithArrival ?? reverseArrival(schoolID: schoolID, booking: booking, merged: merged, date: date, key: key,
                                                             description: description, on: connection)
        try CollectionPayments.markReversed(schoolID: schoolID, paymentID: payment.paymentID, reference: request.reversalID,
                                            entryID: posted, on: connection)
        var reversed = payment
        reversed.reversedAt = context.now
        reversed.reversalReference = request.reversalID
        return reversed
    }

    /// The bank transaction's arrival undone, its applications already undone: the reversal of its booking;
    /// or, when the booking was also an application's entry (`PaymentBatch`'s merged entry, since unapplied
    /// back to the transaction's suspense), Dr suspense / Cr bank — what reversing a booking alone posts.
    static func reverseArrival(schoolID: Int64, booking: Int64, merged: Bool, date: CalendarDate, key: String, description: String,
                               on connection: PostgresConnection) throws -> Int64 {
        let request: JournalEntryRequest
        if merged {
            let entry = try LedgerQueries.entry(schoolID: schoolID, entryID: booking, on: connection)
            guard let arrival = entry.postings.first, let transactionID = entry.references.bankTransactionID else {
                throw LedgerError.unknownEntry(booking)
            }
            let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
            request = JournalEntryRequest(
                schoolID: schoolID, effectiveDate: date, kind: .adjustment, description: description, idempotencyKey: key,
                references: EntryReferences(bankTransactionID: transactionID),
                postings: [PostingRequest(accountID: suspense, amount: arrival.amount, dimensions: PostingDimensions(bankTransactionID: transactionID)),
                           PostingRequest(accountID: arrival.accountID, amount: arrival.amount.negated, dimensions: arrival.dimensions)])
        } else {
            request = try Reversals.request(schoolID: schoolID, entryID: booking, effectiveDate: date, idempotencyKey: key,
                                            description: description, on: connection)
            try Reversals.checkNotReversed(schoolID: schoolID, entryID: booking, idempotencyKey: key, on: connection)
        }
        return try LedgerWriter.post([request], on: connection)[0].entryID
    }
}
