import Foundation
import Reconciliation
import Simulation
import Testing

/// The province-scale run takes a minute in a debug build: it runs only when asked
/// (`TUITION_SCALE_BENCH=1 swift test -c release --filter ScaleBenchTests`).
@Suite struct ScaleBenchTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TUITION_SCALE_BENCH"] == "1"))
    func provinceMonthReconcilesWithinBudget() throws {
        let report = try ScaleBench.run(.scale(), concurrency: 2)
        print(report.summary)
        #expect(report.schools == 700)
        #expect(report.students == 300_000)
        #expect(report.transactions >= 300_000)
        #expect(report.reconcileSeconds < Double(ScaleBench.reconcileSecondsMax))
    }
}

extension ScaleBenchTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TUITION_SCALE_BENCH"] == "1"))
    func provinceMonthMeetsTheAccuracyTargets() throws {
        let report = try AccuracyEvaluator.evaluate(ProvinceSimulation(parameters: .scale()), concurrency: 2)
        print(report.summary)
        #expect(report.meetsTargets)
    }
}
