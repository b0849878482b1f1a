import Foundation

/// Finds the directories the program reads at run time: `migrations/` and `bank-formats/`.
///
/// `TUITION_ROOT` names the directory holding both. Without it, the directory of the
/// running executable and the working directory are searched upwards, so a binary built
/// in a clone (`.build/release/tuition`) finds the clone's files wherever it is started from.
public struct ProjectLayout: Sendable {
    public let root: String

    public var migrations: String { root + "/migrations" }
    public var bankFormats: String { root + "/bank-formats" }
    public var feeCatalogues: String { root + "/fee-catalogues" }
    /// Charts of accounts (`charts/*.json`); the Ledger reads the default chart from here.
    public var charts: String { root + "/charts" }

    public static let searchDepthMax = 8

    public init(root: String) {
        self.root = root
    }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ProjectLayoutError) -> ProjectLayout {
        if let root = environment["TUITION_ROOT"], !root.isEmpty {
            guard holdsProject(root) else { throw ProjectLayoutError.notAProject(root) }
            return ProjectLayout(root: root)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent().path
        for start in [executable, FileManager.default.currentDirectoryPath] {
            var directory = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<searchDepthMax {
                if holdsProject(directory.path) { return ProjectLayout(root: directory.path) }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw ProjectLayoutError.notFound
    }

    static func holdsProject(_ directory: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory + "/migrations", isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.fileExists(atPath: directory + "/bank-formats", isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

public enum ProjectLayoutError: Error, CustomStringConvertible {
    case notAProject(String)
    case notFound

    public var description: String {
        switch self {
        case .notAProject(let root): return "TUITION_ROOT=\(root) does not hold migrations/ and bank-formats/"
        case .notFound:
            return "cannot find the migrations/ and bank-formats/ directories near the executable or the working directory; set TUITION_ROOT"
        }
    }
}
