import CSystem
import Foundation
import Glibc

/// Runs a program to completion and collects its output, without Foundation's `Process`
/// (whose child reaping proved unreliable when the child daemonises a server).
/// The child inherits no descriptor but standard input (/dev/null), output and error.
public enum Subprocess {
    /// Output kept in memory is bounded; a tool printing more has its tail kept.
    public static let outputBytesMax = 1024 * 1024

    public struct Result: Sendable {
        public let status: Int32
        public let output: String
    }

    public static func run(_ program: String, _ arguments: [String], directory: String? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Result {
        let outputPath = NSTemporaryDirectory() + "tuition-subprocess-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        let descriptor = open(outputPath, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SubprocessError.spawnFailed(program, errno) }
        defer {
            close(descriptor)
            unlink(outputPath)
        }
        let argv = [program] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        let pid = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                tuition_spawn(program, UnsafeMutableRawPointer(mutating: argvPointer).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self),
                              UnsafeMutableRawPointer(mutating: envPointer).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self),
                              directory, descriptor)
            }
        }
        guard pid > 0 else { throw SubprocessError.spawnFailed(program, -pid) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SubprocessError.waitFailed(program, errno) }
        }
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: exitStatus, output: readTail(descriptor))
    }

    private static func readTail(_ descriptor: Int32) -> String {
        let size = lseek(descriptor, 0, SEEK_END)
        let start = max(0, Int(size) - outputBytesMax)
        lseek(descriptor, off_t(start), SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: Int(size) - start)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count <= 0 { break }
            filled += count
        }
        return String(decoding: bytes.prefix(filled), as: UTF8.self)
    }
}

public enum SubprocessError: Error, CustomStringConvertible {
    case spawnFailed(String, Int32)
    case waitFailed(String, Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let program, let code): return "cannot start \(program): \(String(cString: strerror(code)))"
        case .waitFailed(let program, let code): return "cannot wait for \(program): \(String(cString: strerror(code)))"
        }
    }
}
