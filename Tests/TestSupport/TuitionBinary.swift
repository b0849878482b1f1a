import Foundation
import Postgres

/// The `tuition` executable built next to the test bundle, run as a separate process.
public enum TuitionBinary {
    public static var path: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // The test binary lives in `<build>/debug/x.xctest` or directly in `<build>/debug`.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("tuition").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Repository.root + "/.build/debug/tuition"
    }

    /// Runs `tuition arguments...` with extra environment variables; returns exit status and output.
    public static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Subprocess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        environment["TUITION_ROOT"] = Repository.root
        for (key, value) in extra { environment[key] = value }
        return try Subprocess.run(path, arguments, directory: Repository.root, environment: environment)
    }
}
