import Billing
import Core
import Foundation

/// `tuition attendance calendar|import`: the school days per-day fees are billed by, and pupils' absences.
enum AttendanceCommand {
    static let usage = """
        Usage: tuition attendance calendar --school CODE --month YYYY-MM --days N [--holidays YYYY-MM-DD,...]
               tuition attendance import FILE --school CODE

        calendar   records the school days of a month (weekends and holidays left out) that per-day fees
                   such as meals are billed for; --holidays lists the weekday holidays, for the record
        import     reads a CSV of absent days (student_code, month, absent_days; or Mã học sinh, Tháng,
                   Số ngày nghỉ): if any row is bad, every problem is printed by line and field and nothing
                   is imported. Absent days of a billed month are credited on the next invoices.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        switch reader.positional() {
        case "calendar": try calendar(&reader)
        case "import": try importFile(&reader)
        default: throw UsageError(message: "missing or unknown action", usage: usage)
        }
    }

    static func calendar(_ reader: inout ArgumentReader) throws {
        let schoolCode = try reader.requiredOption("--school")
        let month = try BillingSession.parseMonth(try reader.requiredOption("--month"))
        let days = try reader.option("--days") { try parseInt($0, 0...SchoolCalendar.schoolDaysMax) }
        let holidays = try reader.option("--holidays") { text in try text.split(separator: ",").map { try BillingSession.parseDate(String($0)) } } ?? []
        guard let days else { throw UsageError(message: "--days is required", usage: usage) }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        try session.transaction { connection in
            try SchoolCalendar.set(schoolID: session.school.id, SchoolMonth(period: month, schoolDays: days, holidays: holidays),
                                   updatedBy: BillingSession.actor, on: connection)
        }
        print("\(month.iso): \(days) school days")
    }

    static func importFile(_ reader: inout ArgumentReader) throws {
        try RowImportCommand.run(&reader, noun: "attendance", rows: "rows") { schoolID, file, connection in
            try AttendanceImport.run(schoolID: schoolID, file: file, importedBy: BillingSession.actor, on: connection)
        }
    }
}
