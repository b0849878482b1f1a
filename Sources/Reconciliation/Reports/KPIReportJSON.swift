/// The KPI report as JSON, deterministic like the other reports (fixed key order, integers only, rates in basis
/// points beside their text, `generatedAt` to the second in Vietnam time).
public enum KPIReportJSON {
    public static let format = "tuition/kpi-report/1"

    public static func render(_ report: KPIReport) -> String { document(report).rendered() }

    public static func canonicalBytes(_ report: KPIReport) -> [UInt8] { Array(render(report).utf8) }

    static func document(_ report: KPIReport) -> ReportJSON {
        var object = ReportJSONObject()
        object.add("format", .string(format))
        object.add("provinceName", .string(report.provinceName))
        object.add("period", .string(report.period.iso))
        object.add("generatedAt", .string(ReportFormat.isoTimestamp(report.generatedAt)))
        object.add("definition", .string(KPIReport.definition))
        object.add("targets", .object([
            ReportJSONMember("bankSchools2025", ReportFormat.rateJSON(KPITargets.bankSchools2025)),
            ReportJSONMember("cashless2030", ReportFormat.rateJSON(KPITargets.cashless2030)),
        ]))
        object.add("province", figures(report.province))
        object.add("authorities", .array(report.authorities.map { row in
            .object([
                ReportJSONMember("code", .string(row.code)),
                ReportJSONMember("name", .string(row.name)),
                ReportJSONMember("kind", .string(row.kind.rawValue)),
                ReportJSONMember("figures", figures(row.figures)),
            ])
        }))
        object.add("trend", .array(report.trend.map { point in
            .object([ReportJSONMember("month", .string(point.month.iso)), ReportJSONMember("figures", figures(point.figures))])
        }))
        return object.json
    }

    static func figures(_ figures: KPIFigures) -> ReportJSON {
        .object([
            ReportJSONMember("generalEducationSchools", .integer(Int64(figures.generalSchools))),
            ReportJSONMember("schoolsCollectingThroughBanks", .integer(Int64(figures.bankSchools))),
            ReportJSONMember("bankSchoolShare", ReportFormat.rateJSON(figures.bankSchoolShare)),
            ReportJSONMember("meetsTarget2025", .bool((figures.bankSchoolShare ?? BasisPoints(0)) >= KPITargets.bankSchools2025)),
            ReportJSONMember("meetsTarget2030", .bool((figures.bankSchoolShare ?? BasisPoints(0)) >= KPITargets.cashless2030)),
            ReportJSONMember("bankPayments", .integer(Int64(figures.bankPayments))),
            ReportJSONMember("cashPayments", .integer(Int64(figures.cashPayments))),
            ReportJSONMember("bankAmount", .integer(figures.bankAmount.dong)),
            ReportJSONMember("cashAmount", .integer(figures.cashAmount.dong)),
            ReportJSONMember("cashlessShareByCount", ReportFormat.rateJSON(figures.cashlessShareByCount)),
            ReportJSONMember("cashlessShareByValue", ReportFormat.rateJSON(figures.cashlessShareByValue)),
        ])
    }
}
