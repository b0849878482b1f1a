import Foundation
import Testing
@testable import VietQR

/// Decodes QR Code images with Debian's `zbarimg` (package zbar-tools), an implementation independent of ours.
enum Zbar {
    static let installHint = "zbarimg is not on PATH: install zbar-tools (apt-get install -y zbar-tools) to run the QR decoding tests"
    static let pixelsPerModule = 4

    /// The path of `zbarimg` on PATH, nil if absent.
    static func executablePath() -> String? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = String(directory) + "/zbarimg"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Writes `matrix` as a PGM into `directory` and returns what zbarimg reads from it (nil when it finds no code).
    static func decode(_ matrix: QRCodeMatrix, zbarimg: String, directory: URL, name: String) throws -> [UInt8]? {
        let file = directory.appendingPathComponent(name + ".pgm")
        try Data(QRCodeRendering.pgm(matrix, pixelsPerModule: pixelsPerModule)).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        // Binary output: the symbol's bytes exactly, no charset guessing, no trailing newline.
        process.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? Array(bytes) : nil
    }

    /// Runs `body` with a fresh temporary directory, removed afterwards whatever happens.
    static func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vietqr-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }
}

