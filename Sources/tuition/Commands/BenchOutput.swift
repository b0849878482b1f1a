import Foundation

/// Files the bench commands write where their caller says.
enum BenchOutput {
    /// Writes `text` INTO the file `path` names: never an atomic write, which renames a new file onto the path
    /// and so, for a root caller, replaced a device or a symbolic link given as the output (`--out /dev/null`
    /// once made /dev/null an ordinary file on the machine).
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }
}
