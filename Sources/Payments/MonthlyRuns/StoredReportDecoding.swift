import Core
import Foundation
import Reconciliation

/// Reads a report back from its canonical JSON (`MonthlyReportJSON`), so a stored run can be
/// rendered again as a page or a CSV file. Only what the model holds is read; derived members
/// (totals, differences, rates, ages) are recomputed by the model, and the caller checks that the
/// rendering of what was read gives the stored bytes again.
enum StoredReportDecoding {
    /// A stored report larger than this is refused before parsing.
    static let bytesMax = 64 * 1024 * 1024

    struct DecodingProblem: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ bytes: [UInt8]) throws -> MonthlyReconciliationReport {
        guard bytes.count <= bytesMax else { throw DecodingProblem(description: "\(bytes.count) bytes is more than \(bytesMax)") }
        let document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        guard document.format == MonthlyReportJSON.format else {
            throw DecodingProblem(description: "format '\(document.format)' is not \(MonthlyReportJSON.format)")
        }
        guard let generatedAt = ISO8601DateFormatter().date(from: document.generatedAt) else {
            throw DecodingProblem(description: "generatedAt '\(document.generatedAt)' is not an ISO 8601 instant")
        }
        return try MonthlyReconciliationReport(
            school: document.school, month: document.month, generatedAt: generatedAt, runId: document.runId, state: document.state,
            totals: CollectionFigures(invoiced: document.totals.invoiced, collectedByBank: document.totals.collectedByBank,
                                      collectedInCash: document.totals.collectedInCash, outstanding: document.totals.outstanding),
            bankAccounts: document.bankAccounts.map(\.model), unapplied: document.unapplied.items.map(\.model),
            outstandingAging: OutstandingAging(buckets: document.outstandingAging.buckets, largest: document.outstandingAging.largest),
            familyCredits: document.familyCredits.families, exceptions: document.exceptions.model,
            collectionByMonth: document.collectionByMonth.map(\.model))
    }

    struct Document: Decodable {
        var format: String
        var school: ReportSchool
        var month: CalendarMonth
        var generatedAt: String
        var runId: Int64?
        var state: MonthlyReconciliationState
        var totals: Totals
        var bankAccounts: [Account]
        var unapplied: Unapplied
        var outstandingAging: Aging
        var familyCredits: Credits
        var exceptions: Exceptions
        var collectionByMonth: [Collection]
    }

    struct Totals: Decodable {
        var invoiced: Money
        var collectedByBank: Money
        var collectedInCash: Money
        var outstanding: Money
    }

    struct Account: Decodable {
        var bankName: String
        var accountNumber: String
        var ledgerBalance: Money
        var statementClosingBalance: Money?
        var statementDate: CalendarDate?
        var explainingItems: [ExplainingItem]

        var model: BankAccountAgreement {
            BankAccountAgreement(bankName: bankName, accountNumber: accountNumber, ledgerBalance: ledgerBalance,
                                 statementClosingBalance: statementClosingBalance, statementDate: statementDate,
                                 explainingItems: explainingItems)
        }
    }

    struct Unapplied: Decodable {
        var items: [Item]

        struct Item: Decodable {
            var transactionId: Int64
            var bookingDate: CalendarDate
            var amount: Money
            var payerName: String?
            var memo: String
            var model: UnappliedItem {
                UnappliedItem(transactionId: transactionId, bookingDate: bookingDate, amount: amount, payerName: payerName, memo: memo)
            }
        }
    }

    struct Aging: Decodable {
        var buckets: [AgingBucket]
        var largest: [OutstandingInvoice]
    }

    struct Credits: Decodable {
        var families: [FamilyCredit]
    }

    struct Exceptions: Decodable {
        var likelyDuplicates: [DuplicatePayment]
        var amountsFarFromInvoices: [FarAmountPayment]
        var model: ReportExceptions { ReportExceptions(likelyDuplicates: likelyDuplicates, amountsFarFromInvoices: amountsFarFromInvoices) }
    }

    struct Collection: Decodable {
        var month: CalendarMonth
        var invoiced: Money
        var collected: Money
        var model: MonthlyCollection { MonthlyCollection(month: month, invoiced: invoiced, collected: collected) }
    }
}
