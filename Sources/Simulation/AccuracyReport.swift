import Reconciliation

/// A count out of a count, printed as a percentage with one decimal (integer arithmetic).
public struct Ratio: Hashable, Sendable, Codable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int) {
        precondition(numerator >= 0 && denominator >= 0, "a ratio of counts is not negative")
        self.numerator = numerator
        self.denominator = denominator
    }

    /// True when numerator/denominator ≥ percent/100; an empty ratio meets any target (nothing to get wrong).
    public func meets(percent: Int) -> Bool {
        denominator == 0 || numerator * 100 >= percent * denominator
    }

    /// Tenths of a percent, rounded down; nil when the denominator is zero.
    public var permille: Int? { denominator == 0 ? nil : numerator * 1000 / denominator }

    public var description: String {
        guard let permille else { return "n/a (0/0)" }
        return "\(permille / 10).\(permille % 10)% (\(numerator)/\(denominator))"
    }
}

/// How well the matcher did on a labelled month, overall and by scenario.
public struct AccuracyReport: Hashable, Sendable, Codable {
    public struct ScenarioFigures: Hashable, Sendable, Codable {
        public var scenario: TransferScenario
        public var transfers = 0
        public var automatic = 0
        public var automaticCorrect = 0
        /// Pending decisions with at least one proposal.
        public var proposed = 0
        public var topProposalCorrect = 0
        /// Pending decisions with no proposal at all.
        public var bareSuspense = 0

        public init(scenario: TransferScenario) { self.scenario = scenario }
    }

    public var schools = 0
    public var students = 0
    public var invoices = 0
    public var transfers = 0
    /// One entry per scenario, in `TransferScenario.allCases` order.
    public var scenarios: [ScenarioFigures] = TransferScenario.allCases.map(ScenarioFigures.init(scenario:))

    public init() {}

    /// Correct automatic applications out of all automatic applications.
    public var automaticPrecision: Ratio {
        Ratio(numerator: sum(\.automaticCorrect), denominator: sum(\.automatic))
    }

    /// Payments carrying a valid code or virtual account that were applied automatically and correctly.
    public var automaticRecall: Ratio {
        let carrying = scenarios.filter(\.scenario.carriesValidReference)
        return Ratio(numerator: carrying.reduce(0) { $0 + $1.automaticCorrect }, denominator: carrying.reduce(0) { $0 + $1.transfers })
    }

    /// Tuition payments without a valid code or virtual account whose top proposal is right.
    public var restCoverage: Ratio {
        let rest = scenarios.filter { !$0.scenario.carriesValidReference && $0.scenario != .notTuition }
        return Ratio(numerator: rest.reduce(0) { $0 + $1.topProposalCorrect }, denominator: rest.reduce(0) { $0 + $1.transfers })
    }

    /// Right top proposals out of all pending decisions that had one (noise included).
    public var topProposalPrecision: Ratio {
        Ratio(numerator: sum(\.topProposalCorrect), denominator: sum(\.proposed))
    }

    public static let automaticPrecisionTargetPercent = 100
    public static let automaticRecallTargetPercent = 95
    public static let restCoverageTargetPercent = 80

    public var meetsTargets: Bool {
        automaticPrecision.meets(percent: AccuracyReport.automaticPrecisionTargetPercent)
            && automaticRecall.meets(percent: AccuracyReport.automaticRecallTargetPercent)
            && restCoverage.meets(percent: AccuracyReport.restCoverageTargetPercent)
    }

    public subscript(scenario: TransferScenario) -> ScenarioFigures {
        get { scenarios[TransferScenario.allCases.firstIndex(of: scenario)!] }
        set { scenarios[TransferScenario.allCases.firstIndex(of: scenario)!] = newValue }
    }

    private func sum(_ field: KeyPath<ScenarioFigures, Int>) -> Int {
        scenarios.reduce(0) { $0 + $1[keyPath: field] }
    }

    /// Adds another school's (or province part's) figures to these.
    public mutating func merge(_ other: AccuracyReport) {
        schools += other.schools
        students += other.students
        invoices += other.invoices
        transfers += other.transfers
        for index in scenarios.indices {
            scenarios[index].transfers += other.scenarios[index].transfers
            scenarios[index].automatic += other.scenarios[index].automatic
            scenarios[index].automaticCorrect += other.scenarios[index].automaticCorrect
            scenarios[index].proposed += other.scenarios[index].proposed
            scenarios[index].topProposalCorrect += other.scenarios[index].topProposalCorrect
            scenarios[index].bareSuspense += other.scenarios[index].bareSuspense
        }
    }

    /// A printable summary: the three targets, then a line per scenario.
    public var summary: String {
        let targets = (AccuracyReport.automaticPrecisionTargetPercent, AccuracyReport.automaticRecallTargetPercent,
                       AccuracyReport.restCoverageTargetPercent)
        var lines = [
            "Matcher accuracy on a generated month: \(schools) schools, \(students) students, \(invoices) invoices, "
                + "\(transfers) bank lines",
            "  automatic application precision:        \(automaticPrecision)   target \(targets.0)%",
            "  automatic recall (valid code or VA):    \(automaticRecall)   target ≥ \(targets.1)%",
            "  rest covered by a correct top proposal: \(restCoverage)   target ≥ \(targets.2)%",
            "  top proposals correct (all offered):    \(topProposalPrecision)",
            "",
            AccuracyReport.row(["scenario", "lines", "auto", "auto ok", "proposed", "top ok", "bare"]),
        ]
        for figures in scenarios where figures.transfers > 0 {
            lines.append(AccuracyReport.row([
                figures.scenario.rawValue, "\(figures.transfers)", "\(figures.automatic)", "\(figures.automaticCorrect)",
                "\(figures.proposed)", "\(figures.topProposalCorrect)", "\(figures.bareSuspense)",
            ]))
        }
        lines.append("")
        lines.append("Targets met: " + (meetsTargets ? "yes" : "NO"))
        return lines.joined(separator: "\n")
    }

    static func row(_ cells: [String]) -> String {
        let widths = [26, 8, 8, 8, 9, 8, 6]
        return zip(cells, widths).enumerated().map { index, pair in
            let padding = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
            return index == 0 ? pair.0 + padding : padding + pair.0
        }.joined()
    }
}
