import Billing
import Core
import Foundation

/// `tuition fees enrol` and `tuition fees enrolments FILE`: pupils' enrolments in opt-in fees.
enum FeeEnrolmentCommand {
    static func enrol(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let studentCode = try reader.requiredOption("--student")
        let feeCode = try reader.requiredOption("--fee")
        let from = try BillingSession.parseDate(try reader.requiredOption("--from"))
        let through = try reader.option("--through") { try BillingSession.parseDate($0) }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        try session.transaction { connection in
            guard let student = try Students.find(schoolID: session.school.id, code: studentCode, on: connection) else {
                throw CommandFailure(message: "no student \(studentCode) in school \(schoolCode)")
            }
            guard let fee = try FeeTypes.find(schoolID: session.school.id, code: feeCode, on: connection) else {
                throw CommandFailure(message: "no fee type \(feeCode) in school \(schoolCode)")
            }
            try Enrolments.enrol(schoolID: session.school.id, Enrolment(studentID: student.id, feeTypeID: fee.id, from: from, through: through),
                                 recordedBy: BillingSession.actor, on: connection)
        }
        print("\(studentCode) enrolled in \(feeCode.uppercased()) from \(from.iso)" + (through.map { " through \($0.iso)" } ?? ""))
    }

    static func importFile(_ reader: inout ArgumentReader) throws {
        try RowImportCommand.run(&reader, noun: "enrolments", rows: "enrolments") { schoolID, file, connection in
            try EnrolmentImport.run(schoolID: schoolID, file: file, recordedBy: BillingSession.actor, on: connection)
        }
    }
}
