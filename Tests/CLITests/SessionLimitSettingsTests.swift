import Foundation
import Testing
import TestSupport

/// `lock_timeout_ms` and `statement_timeout_ms` in the settings file: shown by `config check`,
/// defaulted when absent, refused (naming the key) out of range.
@Suite struct SessionLimitSettingsTests {
    func check(_ json: String) throws -> (status: Int32, output: String) {
        let path = NSTemporaryDirectory() + "tuition-limits-\(UInt32.random(in: 0...UInt32.max)).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try TuitionBinary.run(["config", "check", "--config", path])
        return (result.status, result.output)
    }

    @Test func configuredLimitsAreShown() throws {
        let result = try check(#"{"lock_timeout_ms": 500, "statement_timeout_ms": 30000}"#)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("lock_timeout_ms = 500"))
        #expect(result.output.contains("statement_timeout_ms = 30000"))
    }

    @Test func absentLimitsTakeTheDefaults() throws {
        let result = try check("{}")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("lock_timeout_ms = 2000"))
        #expect(result.output.contains("statement_timeout_ms = 60000"))
    }

    @Test func outOfRangeLimitsAreRefusedByName() throws {
        let zero = try check(#"{"lock_timeout_ms": 0}"#)
        #expect(zero.status == 1)
        #expect(zero.output.contains("lock_timeout_ms: 1 to 3600000"), "\(zero.output)")
        let huge = try check(#"{"statement_timeout_ms": 3600001}"#)
        #expect(huge.status == 1)
        #expect(huge.output.contains("statement_timeout_ms: 1 to 3600000"), "\(huge.output)")
    }

    /// The commit lanes' batches in flight per school: shown, defaulted to 2, refused by name out of 1...8.
    @Test func laneBatchesInFlightAreShownDefaultedAndBounded() throws {
        let one = try check(#"{"lane_batches_in_flight": 1}"#)
        #expect(one.status == 0 && one.output.contains("lane_batches_in_flight = 1"), "\(one.output)")
        #expect(try check("{}").output.contains("lane_batches_in_flight = 2"))
        let zero = try check(#"{"lane_batches_in_flight": 0}"#)
        #expect(zero.status == 1 && zero.output.contains("lane_batches_in_flight: 1 to 8"), "\(zero.output)")
    }
}
