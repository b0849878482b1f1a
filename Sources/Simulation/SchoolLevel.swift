import Core

/// What the simulation needs of a school level: its grades, its share of a province's schools, class names and fees.
extension SchoolLevel {
    /// Grades simulated; preschool's 0–3 are nhà trẻ, mầm, chồi, lá; continuing education as its upper secondary programme only.
    var simulatedGrades: ClosedRange<Int> {
        switch self {
        case .preschool: return 0...3
        case .primary: return 1...5
        case .lowerSecondary: return 6...9
        case .upperSecondary, .continuing: return 10...12
        }
    }

    /// Rough share of schools per thousand in a province.
    var perMille: Int {
        switch self {
        case .preschool: return 300
        case .primary: return 350
        case .lowerSecondary: return 220
        case .upperSecondary: return 100
        case .continuing: return 30
        }
    }

    /// Relative school size (primary = 100).
    var sizeWeight: Int {
        switch self {
        case .preschool: return 45
        case .primary: return 100
        case .lowerSecondary: return 110
        case .upperSecondary: return 140
        case .continuing: return 40
        }
    }

    func className(grade: Int, section: Int) -> String {
        switch self {
        case .preschool: return ["Nhà trẻ", "Mầm", "Chồi", "Lá"][grade] + " \(section + 1)"
        case .primary: return "\(grade)" + String(UnicodeScalar(UInt8(ascii: "A") + UInt8(section % 8)))
        case .lowerSecondary, .upperSecondary: return "\(grade)A\(section + 1)"
        case .continuing: return "\(grade)B\(section + 1)"
        }
    }

    /// The monthly fee of a grade before optional items, in đồng.
    func baseFee(grade: Int) -> Int64 {
        switch self {
        case .preschool: return [1_050_000, 950_000, 900_000, 900_000][grade]
        case .primary: return grade <= 2 ? 150_000 : 180_000
        case .lowerSecondary: return grade <= 7 ? 250_000 : 280_000
        case .upperSecondary: return [300_000, 320_000, 350_000][grade - 10]
        case .continuing: return 220_000
        }
    }

    /// Optional monthly items (agreed collections): amount in đồng and the share of students who take it, per mille.
    var optionalItems: [(amount: Int64, perMille: Int)] {
        switch self {
        case .preschool: return [(150_000, 300), (200_000, 200)]
        case .primary: return [(650_000, 550), (150_000, 300), (200_000, 150)]
        case .lowerSecondary: return [(600_000, 300), (200_000, 300), (120_000, 200)]
        case .upperSecondary: return [(400_000, 250), (250_000, 350)]
        case .continuing: return [(150_000, 300)]
        }
    }
}
