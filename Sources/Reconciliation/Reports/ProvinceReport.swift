import Core
import Foundation

/// A school's reconciliation of the month, as the province sees it.
public enum ProvinceReconciliationStatus: String, Sendable, Codable, CaseIterable {
    case closed
    /// Reconciled and agreeing, not yet closed.
    case open
    case differences
    case notRun

    /// From the school's monthly state; nil (no run this month) is `notRun`.
    public init(_ state: MonthlyReconciliationState?) {
        switch state {
        case .closed: self = .closed
        case .agrees: self = .open
        case .differences: self = .differences
        case nil: self = .notRun
        }
    }

    public var vietnameseName: String {
        switch self {
        case .closed: return "Đã khóa sổ"
        case .open: return "Khớp, chưa khóa sổ"
        case .differences: return "Có chênh lệch"
        case .notRun: return "Chưa đối soát"
        }
    }
}

/// One school's line in the province report.
public struct ProvinceSchoolRow: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var district: String
    public var level: SchoolLevel
    public var figures: CollectionFigures
    public var reconciliation: ProvinceReconciliationStatus
    /// Payments waiting in the school's suspense queue.
    public var unappliedCount: Int

    public init(
        code: String, name: String, district: String, level: SchoolLevel, figures: CollectionFigures,
        reconciliation: ProvinceReconciliationStatus, unappliedCount: Int
    ) {
        self.code = code
        self.name = name
        self.district = district
        self.level = level
        self.figures = figures
        self.reconciliation = reconciliation
        self.unappliedCount = unappliedCount
    }
}

/// How many schools stand where in their reconciliation.
public struct ReconciliationStatusCounts: Hashable, Sendable, Codable {
    public var closed = 0
    public var open = 0
    public var differences = 0
    public var notRun = 0

    public init() {}

    public subscript(status: ProvinceReconciliationStatus) -> Int {
        get {
            switch status {
            case .closed: return closed
            case .open: return open
            case .differences: return differences
            case .notRun: return notRun
            }
        }
        set {
            switch status {
            case .closed: closed = newValue
            case .open: open = newValue
            case .differences: differences = newValue
            case .notRun: notRun = newValue
            }
        }
    }
}

/// Sums over a group of schools: a district or the province.
public struct ProvinceSubtotal: Hashable, Sendable {
    public var schoolCount = 0
    public var figures = CollectionFigures.zero
    public var unappliedCount = 0
    public var statusCounts = ReconciliationStatusCounts()

    public init() {}

    mutating func add(_ school: ProvinceSchoolRow) {
        schoolCount += 1
        figures = figures.adding(school.figures)
        unappliedCount += school.unappliedCount
        statusCounts[school.reconciliation] += 1
    }
}

/// A district's schools (by code) and their subtotal.
public struct ProvinceDistrict: Hashable, Sendable {
    public var name: String
    public var schools: [ProvinceSchoolRow]
    public var subtotal: ProvinceSubtotal
}

/// The finance office's month: every school's collection and reconciliation, by district, with totals.
///
/// A value is valid and canonical: the initialiser (and decoding) checks bounds and school codes (unique), truncates
/// `generatedAt` to whole seconds and sorts schools by district, then school code. Districts sort by their name
/// folded to ASCII (`VietnameseText.normalized`, so "Đ" sorts with "D"), then by the name itself.
public struct ProvinceReport: Hashable, Sendable, Codable {
    /// E.g. "Sở Giáo dục và Đào tạo tỉnh …".
    public let provinceName: String
    public let month: CalendarMonth
    public let generatedAt: Date
    public let schools: [ProvinceSchoolRow]

    public init(provinceName: String, month: CalendarMonth, generatedAt: Date, schools: [ProvinceSchoolRow]) throws(ReportError) {
        try ReportValidation.text(provinceName, "provinceName")
        try ReportValidation.count(schools, max: ReportLimits.provinceSchoolsMax, "schools")
        var codes = Set<String>()
        for (index, school) in schools.enumerated() {
            try ProvinceReport.validate(school, "schools[\(index)]")
            guard codes.insert(school.code).inserted else { throw .duplicateSchoolCode(school.code) }
        }
        self.provinceName = provinceName
        self.month = month
        self.generatedAt = Date(timeIntervalSince1970: generatedAt.timeIntervalSince1970.rounded(.down))
        self.schools = schools
            .map { (key: ProvinceReport.districtSortKey($0.district), school: $0) }
            .sorted { a, b in
                if a.key != b.key { return a.key < b.key }
                if a.school.district != b.school.district { return a.school.district < b.school.district }
                return a.school.code < b.school.code
            }
            .map(\.school)
    }

    /// Districts in report order, each with its schools and subtotal.
    public var districts: [ProvinceDistrict] {
        var districts: [ProvinceDistrict] = []
        for school in schools {
            if districts.last?.name != school.district {
                districts.append(ProvinceDistrict(name: school.district, schools: [], subtotal: ProvinceSubtotal()))
            }
            districts[districts.count - 1].schools.append(school)
            districts[districts.count - 1].subtotal.add(school)
        }
        return districts
    }

    /// The whole province.
    public var totals: ProvinceSubtotal {
        var totals = ProvinceSubtotal()
        for school in schools { totals.add(school) }
        return totals
    }

    static func districtSortKey(_ district: String) -> String { VietnameseText.normalized(district) }

    static func validate(_ school: ProvinceSchoolRow, _ field: String) throws(ReportError) {
        try ReportValidation.text(school.code, field + ".code")
        try ReportValidation.text(school.name, field + ".name")
        try ReportValidation.text(school.district, field + ".district")
        try school.figures.validate(field + ".figures")
        try ReportValidation.statedCount(school.unappliedCount, field + ".unappliedCount")
    }
}

extension ProvinceReport {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            provinceName: container.decode(String.self, forKey: .provinceName),
            month: container.decode(CalendarMonth.self, forKey: .month),
            generatedAt: container.decode(Date.self, forKey: .generatedAt),
            schools: container.decode([ProvinceSchoolRow].self, forKey: .schools))
    }
}
