import Core
import Dispatch
import Reconciliation
import Synchronization

/// Generates a province month school by school and reconciles it, timing each phase.
public enum ScaleBench {
    /// The budget for reconciling a province's month (300,000 students, 330,000 bank lines).
    public static let reconcileSecondsMax = 60

    public static func run(_ parameters: SimulationParameters, concurrency: Int = 2) throws(MatchInputError) -> ScaleBenchReport {
        let clock = ContinuousClock()
        let start = clock.now
        let simulation = ProvinceSimulation(parameters: parameters)
        let shared = SharedBench()
        let schools = simulation.schools
        let workers = max(1, min(concurrency, schools.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: schools.count, by: workers) {
                let result = Result { () throws(MatchInputError) -> ScaleBenchReport in
                    try measure(simulation, school: schools[index], clock: clock)
                }
                shared.state.withLock { state in
                    switch result {
                    case .success(let part): state.report.merge(part)
                    case .failure(let error): state.error = state.error ?? error
                    }
                }
            }
        }
        var (report, error) = shared.state.withLock { ($0.report, $0.error) }
        if let error { throw error }
        report.workers = workers
        report.wallSeconds = seconds(clock.now - start)
        return report
    }

    private static func measure(
        _ simulation: ProvinceSimulation, school: SimulatedSchool, clock: ContinuousClock
    ) throws(MatchInputError) -> ScaleBenchReport {
        let generationStart = clock.now
        let month = simulation.month(of: school)
        let indexingStart = clock.now
        let context = try MatchContext(prefix: school.paymentCodePrefix, students: month.roster.students,
                                       invoices: month.roster.invoices)
        let matchingStart = clock.now
        let decisions = MatchRun.reconcile(month.transfers.map(\.transaction), in: context)
        let end = clock.now
        var report = ScaleBenchReport()
        report.schools = 1
        report.students = month.roster.students.count
        report.invoices = month.roster.invoices.count
        report.transactions = decisions.count
        report.automatic = decisions.count { $0.isAutomatic }
        report.generationSeconds = seconds(indexingStart - generationStart)
        report.indexingSeconds = seconds(matchingStart - indexingStart)
        report.matchingSeconds = seconds(end - matchingStart)
        return report
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Counts and timings of a scale run. Phase times are elapsed times summed over the workers, not wall time.
public struct ScaleBenchReport: Hashable, Sendable, Codable {
    public var schools = 0
    public var students = 0
    public var invoices = 0
    public var transactions = 0
    public var automatic = 0
    public var workers = 1
    public var generationSeconds = 0.0
    public var indexingSeconds = 0.0
    public var matchingSeconds = 0.0
    public var wallSeconds = 0.0

    public init() {}

    /// Index building plus matching: what reconciling the month costs once the data is loaded.
    public var reconcileSeconds: Double { indexingSeconds + matchingSeconds }

    mutating func merge(_ other: ScaleBenchReport) {
        schools += other.schools
        students += other.students
        invoices += other.invoices
        transactions += other.transactions
        automatic += other.automatic
        generationSeconds += other.generationSeconds
        indexingSeconds += other.indexingSeconds
        matchingSeconds += other.matchingSeconds
    }

    public var summary: String {
        func format(_ value: Double) -> String {
            let hundredths = Int((value * 100).rounded())
            return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) s"
        }
        return [
            "Scale run: \(schools) schools, \(students) students, \(invoices) invoices, \(transactions) bank lines, "
                + "\(automatic) applied automatically",
            "  generation: \(format(generationSeconds)) (summed over \(workers) worker(s))",
            "  reconcile:  \(format(reconcileSeconds)) (summed: indexing \(format(indexingSeconds)), matching \(format(matchingSeconds)))"
                + "   budget \(ScaleBench.reconcileSecondsMax) s",
            "  wall time:  \(format(wallSeconds))",
        ].joined(separator: "\n")
    }
}

private final class SharedBench: Sendable {
    struct State {
        var report = ScaleBenchReport()
        var error: MatchInputError?
    }
    let state = Mutex(State())
}
