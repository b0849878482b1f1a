import Core
import Reconciliation

/// A seeded synthetic province: districts, schools, rosters, invoices and a month of labelled bank transfers.
///
/// Only the schools are held; each school's roster and month are generated on demand from the school's own
/// random stream, so a 300,000-student province can be walked school by school in little memory, in parallel,
/// and any one school can be regenerated without the others.
public struct ProvinceSimulation: Sendable {
    /// Spacing of ids per school: student, invoice and transaction ids are `school.id × idStride + n`.
    public static let idStride: Int64 = 1_000_000
    /// Students per class when a school decides how many classes a grade has.
    static let classSizeTarget = 35

    public let parameters: SimulationParameters
    public let districts: [SimulatedDistrict]
    public let schools: [SimulatedSchool]

    public init(parameters: SimulationParameters) {
        self.parameters = parameters
        var random = SeededRandom(seed: parameters.seed, stream: 0)
        self.districts = (0..<parameters.districtCount).map { index in
            let base = VietnameseNames.districtNames[index % VietnameseNames.districtNames.count]
            let round = index / VietnameseNames.districtNames.count
            return SimulatedDistrict(id: index + 1, name: (index % 3 == 0 ? "Quận " : "Huyện ") + base
                                     + (round > 0 ? " \(round + 1)" : ""))
        }
        self.schools = ProvinceSimulation.makeSchools(parameters, districts: districts, random: &random)
    }

    public var studentCount: Int { schools.reduce(0) { $0 + $1.studentCount } }

    /// The school's students, families and open invoices.
    public func roster(of school: SimulatedSchool) -> SimulatedRoster {
        var random = SeededRandom(seed: parameters.seed, stream: UInt64(2 * school.index + 1))
        return RosterGenerator(school: school, parameters: parameters).generate(random: &random)
    }

    /// The school's roster and its month of labelled transfers.
    public func month(of school: SimulatedSchool) -> SimulatedSchoolMonth {
        let roster = roster(of: school)
        var random = SeededRandom(seed: parameters.seed, stream: UInt64(2 * school.index + 2))
        var generator = TransferGenerator(roster: roster, parameters: parameters)
        return SimulatedSchoolMonth(roster: roster, transfers: generator.generate(random: &random))
    }

    /// A month of labelled transfers for a roster from elsewhere — the demo's, whose students and
    /// invoices live in the database with the database's ids and payment codes. Families' `members`
    /// index `roster.students`, as in a simulated roster.
    public func transfers(for roster: SimulatedRoster) -> [LabelledTransfer] {
        var random = SeededRandom(seed: parameters.seed, stream: UInt64(2 * roster.school.index + 2))
        var generator = TransferGenerator(roster: roster, parameters: parameters)
        return generator.generate(random: &random)
    }

    static func makeSchools(
        _ parameters: SimulationParameters, districts: [SimulatedDistrict], random: inout SeededRandom
    ) -> [SimulatedSchool] {
        let levels = SchoolLevel.allCases
        var drafts: [(level: SchoolLevel, weight: Int, district: Int)] = []
        for index in 0..<parameters.schoolCount {
            let level = levels[random.weightedIndex(levels.map(\.perMille))]
            let district = index < districts.count ? index : random.below(districts.count)
            drafts.append((level, level.sizeWeight * random.inRange(80...120), district))
        }
        let sizes = apportion(parameters.studentCount, weights: drafts.map(\.weight))
        var usedNames = Set<String>()
        return drafts.enumerated().map { index, draft in
            let district = districts[draft.district]
            var name = schoolName(draft.level, random: &random)
            if !usedNames.insert(name).inserted { name += " (\(district.name))" }
            if !usedNames.insert(name).inserted { name += " cơ sở \(index + 1)" }
            usedNames.insert(name)
            return SimulatedSchool(
                id: Int64(index + 1), index: index, districtId: district.id, name: name, level: draft.level,
                paymentCodePrefix: codePrefix(draft.level, random: &random), studentCount: sizes[index],
                usesVirtualAccounts: random.chance(perMille: parameters.virtualAccountSchoolPerMille),
                dueDay: random.chance(perMille: 500) ? 10 : 15)
        }
    }

    /// `total` split in proportion to `weights` (largest remainders), each part at least 1.
    static func apportion(_ total: Int, weights: [Int]) -> [Int] {
        let spare = total - weights.count
        precondition(spare >= 0, "fewer students than schools")
        let weightSum = weights.reduce(0, +)
        var parts = weights.map { 1 + spare * $0 / weightSum }
        var missing = total - parts.reduce(0, +)
        let byRemainder = weights.indices.sorted { (spare * weights[$0]) % weightSum > (spare * weights[$1]) % weightSum }
        for index in byRemainder where missing > 0 {
            parts[index] += 1
            missing -= 1
        }
        return parts
    }

    static func schoolName(_ level: SchoolLevel, random: inout SeededRandom) -> String {
        switch level {
        case .preschool: return "Trường Mầm non " + random.pick(VietnameseNames.preschoolNames)
        case .primary: return "Trường Tiểu học " + random.pick(VietnameseNames.honourees)
        case .lowerSecondary: return "Trường THCS " + random.pick(VietnameseNames.honourees)
        case .upperSecondary: return "Trường THPT " + random.pick(VietnameseNames.honourees)
        case .continuing: return "Trung tâm GDTX " + random.pick(VietnameseNames.honourees)
        }
    }

    /// Most schools print `HP` (học phí); others an abbreviation of their level.
    static func codePrefix(_ level: SchoolLevel, random: inout SeededRandom) -> String {
        if random.chance(perMille: 600) { return "HP" }
        switch level {
        case .preschool: return "MN"
        case .primary: return "TH"
        case .lowerSecondary: return "CS"
        case .upperSecondary: return "PT"
        case .continuing: return "GX"
        }
    }
}
