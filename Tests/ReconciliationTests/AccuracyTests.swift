import Core
import Reconciliation
import Simulation
import Testing

@Suite struct AccuracyTests {
    /// A generated month of 12 schools meets the targets the lead reports.
    @Test func generatedMonthMeetsTheTargets() throws {
        var parameters = SimulationParameters.accuracy(seed: 7)
        parameters.schoolCount = 12
        parameters.studentCount = 5_000
        let report = try AccuracyEvaluator.evaluate(ProvinceSimulation(parameters: parameters))
        print(report.summary)
        #expect(report.transfers > 4_000)
        #expect(report.automaticPrecision.numerator == report.automaticPrecision.denominator)
        #expect(report.automaticRecall.meets(percent: AccuracyReport.automaticRecallTargetPercent))
        #expect(report.restCoverage.meets(percent: AccuracyReport.restCoverageTargetPercent))
        #expect(report.meetsTargets)
    }
}
