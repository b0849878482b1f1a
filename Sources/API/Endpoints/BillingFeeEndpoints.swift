import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Fee types, schedules (checked against the province catalogue and the tuition regime) and students' discounts.
enum BillingFeeEndpoints {
    /// Schedules listed for one school year at most (fee types × scopes; far more than a school defines).
    static let schedulesListedMax = 2_000

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let base = BillingEndpoints.base
        builder.add(.get, base + "/fee-types", summary: "List the school's fee types", tag: "fees", roles: BillingEndpoints.readers,
                    response: FeeTypeList.self) { request in
            let fees = try BillingRequest.read(context) { try FeeTypes.list(schoolID: request.scopedSchool.id, on: $0) }
            return try APIJSON.response(FeeTypeList(items: fees.prefix(BillingLimits.feeTypesPerSchoolMax).map(FeeTypeView.init)))
        }
        builder.add(.post, base + "/fee-types", summary: "Add a fee type (tuition or agreed collection)", tag: "fees",
                    roles: BillingEndpoints.writers, request: FeeTypeRequest.self, response: FeeTypeView.self, status: .created) { request in
            let body = try request.decode(FeeTypeRequest.self)
            guard let kind = FeeKind(rawValue: body.kind) else {
                throw BillingRequest.invalid("kind", "one of " + FeeKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let fee = try BillingRequest.write(context) { connection in
                try FeeTypes.add(schoolID: request.scopedSchool.id, code: body.code, name: body.name, kind: kind,
                                 account: body.sharedAccount == true ? .schoolDefault : .own, requiresEnrolment: body.optIn == true,
                                 on: connection)
            }
            return try APIJSON.response(FeeTypeView(fee), status: .created)
        }
        builder.add(.get, base + "/fee-schedules", summary: "List the fee schedules of a school year", tag: "fees",
                    roles: BillingEndpoints.readers,
                    query: [QueryParameterSpec("school_year", .integerRange(Int64(FeeSchedules.schoolYears.lowerBound)...Int64(FeeSchedules.schoolYears.upperBound)), "The year the school year starts (default: the current one).")],
                    response: FeeScheduleList.self) { request in
            try listSchedules(request, context: context)
        }
        builder.add(.post, base + "/fee-schedules",
                    summary: "Set a fee schedule (replaces the one with the same fee, year and scope); tuition bills at most 9 months "
                        + "a school year and none at public schools from 2025–26; at a public school an amount above the province "
                        + "catalogue's cap is refused and a fee outside it needs outsideCatalogueReason",
                    tag: "fees", roles: BillingEndpoints.writers, request: FeeScheduleRequest.self, response: FeeScheduleView.self,
                    status: .created) { request in
            try setSchedule(request, context: context)
        }
        registerDiscounts(&builder, context: context)
    }

    static func registerDiscounts(_ builder: inout APIBuilder, context: APIContext) {
        let path = BillingEndpoints.base + "/students/{student}/discounts"
        builder.add(.get, path, summary: "List a student's discounts and exemptions", tag: "fees", roles: BillingEndpoints.readers,
                    response: DiscountList.self) { request in
            let school = request.scopedSchool
            let views = try BillingRequest.read(context) { connection -> [DiscountView] in
                let student = try BillingLookup.pathStudent(request, on: connection)
                let codes = try feeCodes(school: school, on: connection)
                return try Discounts.list(schoolID: school.id, studentID: student.id, on: connection)
                    .prefix(BillingLimits.discountsPerStudentMax).map { DiscountView($0, feeCodes: codes) }
            }
            return try APIJSON.response(DiscountList(items: views))
        }
        builder.add(.post, path, summary: "Add a discount or exemption (a percentage in basis points or a fixed amount per month) from valid_from for its months (open-ended without)",
                    tag: "fees", roles: BillingEndpoints.writers, request: DiscountRequest.self, response: DiscountView.self,
                    status: .created) { request in
            try addDiscount(request, context: context)
        }
    }

    static func listSchedules(_ request: APIRequest, context: APIContext) throws -> Response {
        let year = try request.query("school_year") { text -> Int in
            guard let year = Int(text), FeeSchedules.schoolYears.contains(year) else {
                throw BillingParameterError("a year from \(FeeSchedules.schoolYears.lowerBound) to \(FeeSchedules.schoolYears.upperBound)")
            }
            return year
        } ?? VietnamTime.today.calendarMonth.schoolYear
        let school = request.scopedSchool
        let list = try BillingRequest.read(context) { connection -> FeeScheduleList in
            let codes = try feeCodes(school: school, on: connection)
            let schedules = try FeeSchedules.list(schoolID: school.id, schoolYear: year, on: connection)
            let views = schedules.prefix(schedulesListedMax).map { FeeScheduleView($0, feeCode: codes[$0.feeTypeID] ?? "") }
            return FeeScheduleList(schoolYear: year, items: views, truncated: schedules.count > schedulesListedMax)
        }
        return try APIJSON.response(list)
    }

    static func setSchedule(_ request: APIRequest, context: APIContext) throws -> Response {
        let body = try request.decode(FeeScheduleRequest.self)
        let scope = try FeeScopeName.scope(body.scope, body.scopeValue)
        // Bounded before anything else: the service checks the months themselves.
        if let months = body.billableMonths, months.count > 12 { throw BillingRequest.invalid("billable_months", "at most 12 months") }
        guard let rateUnit = RateUnit(rawValue: body.rateUnit ?? RateUnit.month.rawValue) else {
            throw BillingRequest.invalid("rate_unit", "month or day")
        }
        let school = request.scopedSchool
        let view = try stateConflicts { try BillingRequest.write(context) { connection -> FeeScheduleView in
            let fee = try BillingLookup.bodyFeeType(body.feeType, field: "fee_type", school: school, on: connection)
            let schedule = try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: body.schoolYear, scope: scope, monthlyAmount: body.monthlyAmount,
                billableMonths: body.billableMonths ?? FeeScheduleInput.septemberToMay, dueDay: body.dueDay ?? FeeScopeName.dueDayDefault,
                outsideCatalogueReason: body.outsideCatalogueReason, rateUnit: rateUnit,
                stateShareBasisPoints: body.stateShareBasisPoints, stateShareDong: body.stateShareDong), on: connection)
            return FeeScheduleView(schedule, feeCode: fee.code)
        } }
        return try APIJSON.response(view, status: .created)
    }

    /// Fields `FeeSchedules.validate` refuses for the fee type's or the school's state, not for the body: tuition by
    /// the day (the fee type is tuition), a grade the school's level does not teach. The document allows both values.
    static let stateFields: Set<String> = ["rate_unit", "grade"]

    /// Runs `body`, answering 409 for a refusal of one of `stateFields`.
    static func stateConflicts<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch BillingError.invalidField(let field, let problem) where stateFields.contains(field) {
            throw APIError.conflict("invalid_for_state", "\(field): \(problem)")
        }
    }

    static func addDiscount(_ request: APIRequest, context: APIContext) throws -> Response {
        let school = request.scopedSchool
        let view = try BillingRequest.write(context) { connection -> DiscountView in
            let student = try BillingLookup.pathStudent(request, on: connection)
            let body = try request.decode(DiscountRequest.self)
            let value: DiscountValue
            switch (body.basisPoints, body.fixedAmount) {
            case (let points?, nil): value = .percentage(basisPoints: points)
            case (nil, let amount?): value = .fixed(amount)
            default: throw BillingRequest.invalid("basis_points", "give exactly one of basis_points and fixed_amount")
            }
            let through = try Discounts.through(from: body.validFrom, months: body.months)
            let fee = try body.feeType.map { try BillingLookup.bodyFeeType($0, field: "fee_type", school: school, on: connection) }
            let discount = try Discounts.add(schoolID: school.id, DiscountInput(
                studentID: student.id, feeTypeID: fee?.id, value: value, reason: body.reason, validFrom: body.validFrom,
                validThrough: through), on: connection)
            return DiscountView(discount, feeCodes: fee.map { [$0.id: $0.code] } ?? [:])
        }
        return try APIJSON.response(view, status: .created)
    }

    /// Fee codes by fee type id (a school has at most `BillingLimits.feeTypesPerSchoolMax`).
    static func feeCodes(school: School, on connection: PostgresConnection) throws -> [Int64: String] {
        Dictionary(try FeeTypes.list(schoolID: school.id, on: connection).map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
    }
}
