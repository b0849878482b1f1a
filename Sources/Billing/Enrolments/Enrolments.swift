import Core
import Postgres

/// Enrolments in opt-in fees: the one owner of `fee_enrolments`. Every function runs inside the caller's transaction.
public enum Enrolments {
    /// Records an enrolment; refused for a fee that is not opt-in and when it overlaps another of the pupil's
    /// enrolments in the same fee.
    public static func enrol(schoolID: Int64, _ enrolment: Enrolment, recordedBy: String, on connection: PostgresConnection) throws(BillingError) {
        if let through = enrolment.through, through < enrolment.from {
            throw .invalidField(field: "through", problem: "\(through.iso) is before \(enrolment.from.iso)")
        }
        let fee = try BillingError.wrapping { try FeeTypes.find(schoolID: schoolID, id: enrolment.feeTypeID, on: connection) }
        guard let fee else { throw .unknownFeeType("id \(enrolment.feeTypeID)") }
        guard fee.requiresEnrolment else {
            throw .invalidField(field: "fee", problem: "\(fee.code) is billed to every pupil its schedules cover, not by enrolment")
        }
        try BillingError.wrapping {
            let overlapping = try connection.query("""
                SELECT enrolled_from FROM fee_enrolments
                WHERE school_id = \(schoolID) AND student_id = \(enrolment.studentID) AND fee_type_id = \(enrolment.feeTypeID)
                  AND enrolled_from <= coalesce(\(enrolment.through)::date, 'infinity'::date)
                  AND coalesce(enrolled_through, 'infinity'::date) >= \(enrolment.from)
                LIMIT 1
                """).first
            if let overlapping {
                let from = try overlapping.decode(column: 0, as: CalendarDate.self)
                throw BillingError.duplicate("an enrolment in \(fee.code) from \(from.iso) overlapping these dates")
            }
            try connection.query("""
                INSERT INTO fee_enrolments (school_id, student_id, fee_type_id, enrolled_from, enrolled_through, recorded_by)
                VALUES (\(schoolID), \(enrolment.studentID), \(enrolment.feeTypeID), \(enrolment.from), \(enrolment.through), \(recordedBy))
                """)
        }
    }

    /// Enrolments overlapping `from…through`, by pupil.
    public static func overlapping(schoolID: Int64, from: CalendarDate, through: CalendarDate,
                                   on connection: PostgresConnection) throws -> [Int64: [Enrolment]] {
        var byStudent: [Int64: [Enrolment]] = [:]
        for row in try connection.query("""
            SELECT student_id, fee_type_id, enrolled_from, enrolled_through FROM fee_enrolments
            WHERE school_id = \(schoolID) AND enrolled_from <= \(through) AND coalesce(enrolled_through, 'infinity'::date) >= \(from)
            """) {
            let (student, fee, start, end) = try row.decode((Int64, Int64, CalendarDate, CalendarDate?).self)
            byStudent[student, default: []].append(Enrolment(studentID: student, feeTypeID: fee, from: start, through: end))
        }
        return byStudent
    }
}

extension Enrolments {
    /// A pupil's enrolments, newest start first (a pupil has a handful: one per opt-in fee and school year).
    public static func list(schoolID: Int64, studentID: Int64, on connection: PostgresConnection) throws -> [Enrolment] {
        try connection.query("""
            SELECT student_id, fee_type_id, enrolled_from, enrolled_through FROM fee_enrolments
            WHERE school_id = \(schoolID) AND student_id = \(studentID)
            ORDER BY enrolled_from DESC, fee_type_id
            """).map { row in
            let (student, fee, start, end) = try row.decode((Int64, Int64, CalendarDate, CalendarDate?).self)
            return Enrolment(studentID: student, feeTypeID: fee, from: start, through: end)
        }
    }

    /// Ends the enrolment that started on `from` on `through` (the last day billed). Refused when there is no such
    /// enrolment, when it already ends on or before that day, or when `through` is before its start. Invoices already
    /// issued for later months stay as they are (void and re-issue them to correct a month).
    public static func end(schoolID: Int64, studentID: Int64, feeTypeID: Int64, from: CalendarDate, through: CalendarDate,
                           on connection: PostgresConnection) throws(BillingError) {
        guard through >= from else { throw .invalidField(field: "through", problem: "\(through.iso) is before \(from.iso)") }
        try BillingError.wrapping {
            let ended = try connection.query("""
                UPDATE fee_enrolments SET enrolled_through = \(through)
                WHERE school_id = \(schoolID) AND student_id = \(studentID) AND fee_type_id = \(feeTypeID) AND enrolled_from = \(from)
                  AND coalesce(enrolled_through, 'infinity'::date) > \(through)
                RETURNING 1
                """)
            guard ended.first != nil else {
                throw BillingError.invalidField(field: "through", problem: "no enrolment from \(from.iso) running past \(through.iso)")
            }
        }
    }
}
