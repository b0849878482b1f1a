/// The province report as JSON, deterministic in the same way as `MonthlyReportJSON`
/// (fixed key order, integers only, NFC strings, `generatedAt` to the second in Vietnam time).
public enum ProvinceReportJSON {
    public static let format = "tuition/province-report/1"

    public static func render(_ report: ProvinceReport) -> String {
        document(report).rendered()
    }

    /// The UTF-8 bytes of `render(_:)`: what to hash.
    public static func canonicalBytes(_ report: ProvinceReport) -> [UInt8] {
        Array(render(report).utf8)
    }

    static func document(_ report: ProvinceReport) -> ReportJSON {
        var object = ReportJSONObject()
        object.add("format", .string(format))
        object.add("provinceName", .string(report.provinceName))
        object.add("month", .string(report.month.iso))
        object.add("generatedAt", .string(ReportFormat.isoTimestamp(report.generatedAt)))
        object.add("totals", subtotal(report.totals))
        object.add("districts", .array(report.districts.map { district in
            .object([
                ReportJSONMember("name", .string(district.name)),
                ReportJSONMember("totals", subtotal(district.subtotal)),
                ReportJSONMember("schools", .array(district.schools.map(school))),
            ])
        }))
        return object.json
    }

    static func subtotal(_ subtotal: ProvinceSubtotal) -> ReportJSON {
        .object([
            ReportJSONMember("schoolCount", .integer(Int64(subtotal.schoolCount))),
            ReportJSONMember("figures", subtotal.figures.json),
            ReportJSONMember("unappliedCount", .integer(Int64(subtotal.unappliedCount))),
            ReportJSONMember("reconciliation", .object(ProvinceReconciliationStatus.allCases.map { status in
                ReportJSONMember(status.rawValue, .integer(Int64(subtotal.statusCounts[status])))
            })),
        ])
    }

    static func school(_ school: ProvinceSchoolRow) -> ReportJSON {
        .object([
            ReportJSONMember("code", .string(school.code)),
            ReportJSONMember("name", .string(school.name)),
            ReportJSONMember("level", .string(school.level.rawValue)),
            ReportJSONMember("figures", school.figures.json),
            ReportJSONMember("reconciliation", .string(school.reconciliation.rawValue)),
            ReportJSONMember("unappliedCount", .integer(Int64(school.unappliedCount))),
        ])
    }
}
