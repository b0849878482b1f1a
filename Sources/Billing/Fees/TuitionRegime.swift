import Core

/// Which tuition rules govern a school year. The one owner of the legal references the billing refusals cite
/// (sources and what was verified: docs/billing.md, "Tuition by regime").
public enum TuitionRegime {
    /// The first school year (named by the year it starts) in which public preschools and general-education
    /// schools charge no tuition.
    public static let freeTuitionFirstSchoolYear = 2025

    public static let freeTuitionBasis = "Resolution 217/2025/QH15 (National Assembly, 26 June 2025) exempts children and pupils of "
        + "public preschools and general-education schools from tuition from the 2025–26 school year, and Decree 238/2025/NĐ-CP "
        + "(in force 3 September 2025, replacing Decrees 81/2021 and 97/2023) carries it out; pupils of non-public schools "
        + "receive state support the province sets"

    /// True when a school of this ownership may schedule tuition for the school year.
    public static func billsTuition(_ ownership: SchoolOwnership, schoolYear: Int) -> Bool {
        ownership == .nonPublic || schoolYear < freeTuitionFirstSchoolYear
    }

    /// The legal basis of the 9-month tuition cap for a school year: Decree 81/2021 Art. 12 until 2024–25; from
    /// 2025–26 Decree 238/2025, which replaced it and carried over its fee rules (its article is not verified here).
    public static func monthsCapBasis(schoolYear: Int) -> String {
        schoolYear < freeTuitionFirstSchoolYear
            ? "Decree 81/2021/NĐ-CP Art. 12: preschool and general education bill tuition for at most 9 months per school year"
            : "Decree 238/2025/NĐ-CP, which replaced Decree 81/2021 and carried over its tuition rules: "
                + "preschool and general education bill tuition for at most 9 months per school year"
    }
}
