import BankFormats
import Core
import Crypto
import Foundation
import Ledger
import Postgres
import Reconciliation

/// A bad reconciliation request: the file's problem (file, line, field), or the school has no
/// collection connection for the provider. Nothing was written.
public enum CollectionReconcileError: Error, CustomStringConvertible {
    case file(CollectionFileError)
    case noConnection(provider: String)
    case unknownProvider(String)

    public var description: String {
        switch self {
        case .file(let error): return error.description
        case .noConnection(let provider): return "the school has no collection connection for provider '\(provider)'"
        case .unknownProvider(let provider): return "no collection description for provider '\(provider)' in bank-formats/collections"
        }
    }
}

/// The result of one end-of-day file: what matched and each difference named, as recorded.
public struct CollectionDayReport: Sendable, Codable, Equatable {
    public struct Tally: Sendable, Codable, Equatable {
        public var count: Int = 0
        public var bankAmount: Int64 = 0
        public var ourAmount: Int64 = 0
    }

    public var reconciliationID: Int64
    public var provider: String
    public var schoolCode: String
    public var schoolName: String
    public var date: CalendarDate
    public var fileSHA256: String
    public var matched: Tally
    public var bankOnly: Tally
    public var oursOnly: Tally
    public var amountDiffers: Tally
    public var differences: [CollectionDifference]

    init(provider: String, school: School, date: CalendarDate, fileSHA256: String, differences: [CollectionDifference]) {
        self.reconciliationID = 0
        self.provider = provider
        self.schoolCode = school.code
        self.schoolName = school.name
        self.date = date
        self.fileSHA256 = fileSHA256
        self.differences = differences
        matched = Tally(); bankOnly = Tally(); oursOnly = Tally(); amountDiffers = Tally()
        for difference in differences {
            func add(_ tally: inout Tally) {
                tally.count += 1
                tally.bankAmount += difference.bankAmount ?? 0
                tally.ourAmount += difference.ourAmount ?? 0
            }
            switch difference.kind {
            case .matched: add(&matched)
            case .bankOnly: add(&bankOnly)
            case .oursOnly: add(&oursOnly)
            case .amountDiffers: add(&amountDiffers)
            }
        }
    }

    public var isClean: Bool { bankOnly.count == 0 && oursOnly.count == 0 && amountDiffers.count == 0 }
}

/// End-of-day reconciliation: the bank's file against the notices recorded for that business day,
/// both ways, in one transaction (all or nothing). Payments only the bank lists are booked now from
/// the file (named `bank_only`); ours-only and differing amounts are flagged; the day's result is recorded.
public enum CollectionReconciler {
    public static func reconcile(_ bytes: [UInt8], fileName: String, description: CollectionProviderDescription, school: School,
                                 date: CalendarDate, pool: PostgresPool, now: Date = Date()) throws -> CollectionDayReport {
        let lines: [CollectionFileLine]
        do { lines = try CollectionDayFile.parse(bytes, layout: description.file, file: fileName) } catch { throw CollectionReconcileError.file(error) }
        for line in lines where VietnamTime.date(of: line.paidAt) != date {
            throw CollectionReconcileError.file(CollectionFileError(file: fileName, line: line.line, field: description.file.fields["paidAt"]!,
                                                                    problem: "paid on \(VietnamTime.date(of: line.paidAt).iso), not on the file's day \(date.iso)"))
        }
        return try pool.transaction(isolation: .readCommitted) { connection in
            guard let route = try route(description, schoolID: school.id, on: connection) else {
                throw CollectionReconcileError.noConnection(provider: description.provider)
            }
            let ours = try CollectionPayments.day(schoolID: school.id, provider: description.provider, date: date, on: connection).map {
                CollectionDayComparison.Recorded(transactionID: $0.bankReference, customerCode: $0.customerCode,
                                                 amount: $0.reversedAt == nil ? $0.amount.dong : 0, paidAt: $0.paidAt)
            }
            let differences = CollectionDayComparison.compare(bank: lines, ours: ours)
            let context = CollectionContext(description: description, route: route.route, merchant: route.merchant, now: now)
            let byID = Dictionary(uniqueKeysWithValues: lines.map { ($0.transactionID, $0) })
            for difference in differences where difference.kind == .bankOnly {
                let line = byID[difference.transactionID]!
                let notice = CollectionPaymentNotice(transactionID: line.transactionID, inquiryID: nil, items: [], amount: line.amount,
                                                     paidAt: line.paidAt, customerCode: line.customerCode.isEmpty ? nil : line.customerCode)
                _ = try CollectionPostings.record(notice, context: context, source: "reconciliation_file", on: connection)
            }
            var report = CollectionDayReport(provider: description.provider, school: school, date: date,
                                             fileSHA256: Hex.encode(SHA256Digest.hash(bytes)), differences: differences)
            report.reconciliationID = try CollectionReconciliations.insert(report, schoolID: school.id, on: connection)
            return report
        }
    }

    /// The school's active connection for the provider: the route its service code names.
    static func route(_ description: CollectionProviderDescription, schoolID: Int64,
                      on connection: PostgresConnection) throws -> (route: CallbackRoute, merchant: String)? {
        guard let found = try BankConnections.list(schoolID: schoolID, on: connection).first(where: { $0.provider == description.connectionProvider }),
              let merchant = found.receivingAccounts.first,
              let route = try BankConnections.route(provider: description.connectionProvider, receivingAccount: merchant, on: connection) else {
            return nil
        }
        return (route, merchant)
    }
}

/// The owner of `collection_reconciliations`: each day's recorded result.
public enum CollectionReconciliations {
    static func insert(_ report: CollectionDayReport, schoolID: Int64, on connection: PostgresConnection) throws -> Int64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        return try connection.query("""
            INSERT INTO collection_reconciliations (school_id, provider, business_date, file_sha256, matched_count, matched_amount,
                bank_only_count, bank_only_amount, ours_only_count, ours_only_amount, differing_count, report)
            VALUES (\(schoolID), \(report.provider), \(report.date), \(try Hex.decode(report.fileSHA256)), \(report.matched.count),
                    \(report.matched.bankAmount), \(report.bankOnly.count), \(report.bankOnly.bankAmount), \(report.oursOnly.count),
                    \(report.oursOnly.ourAmount), \(report.amountDiffers.count), \(PostgresJSON(json)))
            RETURNING reconciliation_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
    }

    /// The recorded results of a month, newest last: for the console and the monthly reconciliation.
    public static func month(schoolID: Int64, month: CalendarMonth, on connection: PostgresConnection) throws -> [CollectionDayReport] {
        try connection.query("""
            SELECT reconciliation_id, report::text FROM collection_reconciliations
            WHERE school_id = \(schoolID) AND business_date BETWEEN \(month.firstDay) AND \(month.lastDay)
            ORDER BY business_date, reconciliation_id LIMIT 1000
            """).map { row in
            let (id, text) = try row.decode((Int64, String).self)
            var report = try JSONDecoder().decode(CollectionDayReport.self, from: Data(text.utf8))
            report.reconciliationID = id
            return report
        }
    }
}

extension CollectionDayResult {
    /// A recorded day as the monthly report shows it: the tallies, and the first exceptions named.
    init(_ report: CollectionDayReport) {
        func tally(_ tally: CollectionDayReport.Tally) -> Tally {
            Tally(count: tally.count, bankAmount: Money(dong: tally.bankAmount), ourAmount: Money(dong: tally.ourAmount))
        }
        let exceptions = report.differences.filter { $0.kind != .matched }
            .sorted { ($0.kind.rawValue, $0.transactionID) < ($1.kind.rawValue, $1.transactionID) }
            .prefix(ReportLimits.collectionExceptionsPerDayMax)
            .map { Exception(kind: $0.kind.rawValue, transactionId: $0.transactionID, customerCode: $0.customerCode,
                             bankAmount: $0.bankAmount.map { Money(dong: $0) }, ourAmount: $0.ourAmount.map { Money(dong: $0) }) }
        self.init(date: report.date, provider: report.provider, matched: tally(report.matched), bankOnly: tally(report.bankOnly),
                  oursOnly: tally(report.oursOnly), amountDiffers: tally(report.amountDiffers), exceptions: Array(exceptions))
    }
}
