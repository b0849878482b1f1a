import Foundation
import Testing
import TestSupport

/// The `http_limits` object of the configuration file, through `tuition config check`.
@Suite struct HTTPLimitSettingsTests {
    private func check(_ json: String) throws -> (status: Int32, output: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tuition-limits-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try TuitionBinary.run(["config", "check", "--config", path])
        return (result.status, result.output)
    }

    @Test func limitsFromTheFileAreShownWithTheDefaultsOfTheOthers() throws {
        let result = try check(#"{"http_limits": {"connections_per_address_max": 16, "trusted_proxies": ["10.0.0.5", "::1"], "body_buffer_bytes_max": 1048576}}"#)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("http_limits.connections_per_address_max = 16\n"))
        #expect(result.output.contains("http_limits.trusted_proxies = 10.0.0.5, ::1\n"))
        #expect(result.output.contains("http_limits.body_buffer_bytes_max = 1048576\n"))
        #expect(result.output.contains("http_limits.expensive_requests_per_minute_per_token = 60\n"))
        #expect(result.output.contains("http_limits.connections_max = 1024\n"))
    }

    @Test func aWrongLimitIsNamed() throws {
        let unknown = try check(#"{"http_limits": {"connections_per_adress_max": 16}}"#)
        #expect(unknown.status != 0 && unknown.output.contains("unknown key 'http_limits.connections_per_adress_max'"))
        let proxy = try check(#"{"http_limits": {"trusted_proxies": ["proxy.internal"]}}"#)
        #expect(proxy.status != 0 && proxy.output.contains("http_limits.trusted_proxies: 'proxy.internal' is not an IPv4 or IPv6 address"))
        let zero = try check(#"{"http_limits": {"connections_per_address_max": 0}}"#)
        #expect(zero.status != 0 && zero.output.contains("http_limits.connections_per_address_max: 0 is not 1 to 1000000"))
        let notObject = try check(#"{"http_limits": 5}"#)
        #expect(notObject.status != 0 && notObject.output.contains("'http_limits' must be a JSON object"))
    }
}
