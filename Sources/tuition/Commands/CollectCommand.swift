import BankFormats
import Core
import Foundation
import Ledger
import Payments
import Postgres

/// `tuition collect`: the bank collection service's end-of-day reconciliation and the day's results.
enum CollectCommand {
    static let usage = """
        Usage: tuition collect reconcile FILE --school CODE --provider P --date YYYY-MM-DD [--out DIR]
               tuition collect status --school CODE --month YYYY-MM

        reconcile compares a bank's end-of-day collection file (layout in bank-formats/collections/P.json)
        with the payment notices recorded for that business day, both ways, all or nothing: payments only
        the bank lists are booked now (flagged bank_only), ours only and differing amounts are flagged.
        It writes next to FILE (or into DIR): FILE.summary.txt and FILE.differences.txt for the bank, and
        the report as FILE.report.json, FILE.report.csv (with BOM) and FILE.report.html.
        status lists a month's recorded day results and the notices with a named exception.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("action")
        switch action {
        case "reconcile": try reconcile(&reader)
        case "status": try status(&reader)
        default: throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }

    static func reconcile(_ reader: inout ArgumentReader) throws {
        let path = try reader.requiredPositional("FILE")
        let schoolCode = try reader.requiredOption("--school")
        let provider = try reader.requiredOption("--provider")
        let dateText = try reader.requiredOption("--date")
        let out = try reader.option("--out")
        try reader.finish()
        guard let date = try? CalendarDate(iso: dateText) else { throw UsageError(message: "--date is YYYY-MM-DD", usage: usage) }
        let catalog = try CollectionCatalog.load(directory: URL(fileURLWithPath: try ProjectLayout.locate().bankFormats + "/collections"))
        guard let description = catalog.description(for: provider) else {
            throw CommandFailure(message: "unknown collection provider '\(provider)'; known: \(catalog.providers.joined(separator: ", "))")
        }
        let url = URL(fileURLWithPath: path)
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size <= CollectionDayFile.fileBytesMax else {
            throw CommandFailure(message: "\(path): unreadable or larger than \(CollectionDayFile.fileBytesMax) bytes")
        }
        let bytes = Array(try Data(contentsOf: url))
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let report: CollectionDayReport
        do {
            report = try CollectionReconciler.reconcile(bytes, fileName: url.lastPathComponent, description: description, school: session.school,
                                                        date: date, pool: session.pool)
        } catch let error as CollectionReconcileError {
            throw CommandFailure(message: error.description)
        }
        let base = (out.map { URL(fileURLWithPath: $0).appendingPathComponent(url.lastPathComponent) } ?? url).path
        try Data(CollectionDayReportFormats.summary(report, layout: description.file).utf8).write(to: URL(fileURLWithPath: base + ".summary.txt"))
        try Data(CollectionDayFile.differencesFile(report.differences, layout: description.file).utf8)
            .write(to: URL(fileURLWithPath: base + ".differences.txt"))
        try Data(try CollectionDayReportFormats.json(report)).write(to: URL(fileURLWithPath: base + ".report.json"))
        try Data(CollectionDayReportFormats.csv(report)).write(to: URL(fileURLWithPath: base + ".report.csv"))
        try Data(CollectionDayReportFormats.html(report).utf8).write(to: URL(fileURLWithPath: base + ".report.html"))
        print("\(provider) \(date.iso) \(schoolCode): matched \(report.matched.count), bank only \(report.bankOnly.count) (booked now), "
              + "ours only \(report.oursOnly.count), amounts differing \(report.amountDiffers.count)")
        for difference in report.differences where difference.kind != .matched {
            print("  \(difference.kind.rawValue)\t\(difference.transactionID)\tbank \(difference.bankAmount.map(String.init) ?? "-")"
                  + "\tours \(difference.ourAmount.map(String.init) ?? "-")\t\(difference.customerCode)")
        }
        print("written: \(base).summary.txt, .differences.txt, .report.json, .report.csv, .report.html")
    }

    static func status(_ reader: inout ArgumentReader) throws {
        let schoolCode = try reader.requiredOption("--school")
        let monthText = try reader.requiredOption("--month")
        try reader.finish()
        guard let month = try? CalendarMonth(iso: monthText) else { throw UsageError(message: "--month is YYYY-MM", usage: usage) }
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        try session.pool.withConnection { connection in
            for day in try CollectionReconciliations.month(schoolID: session.school.id, month: month, on: connection) {
                print("\(day.date.iso)\t\(day.provider)\tmatched \(day.matched.count)\tbank only \(day.bankOnly.count)\tours only \(day.oursOnly.count)"
                      + "\tamounts differing \(day.amountDiffers.count)")
            }
            for payment in try CollectionPayments.exceptions(schoolID: session.school.id, month: month, on: connection) {
                print("\(payment.businessDate.iso)\t\(payment.provider)\t\(payment.bankReference)\t\(payment.amount.dong)\t"
                      + "\(payment.exception?.rawValue ?? "")\(payment.reversedAt == nil ? "" : "\treversed")")
            }
        }
    }
}
