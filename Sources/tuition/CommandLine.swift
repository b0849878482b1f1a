import Foundation

/// A usage mistake: printed with the command's usage, exit status 64 (EX_USAGE).
struct UsageError: Error {
    let message: String
    let usage: String
}

/// A failure while running a command: printed as `error: ...`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var exitStatus: Int32 = 1
    var description: String { message }
}

/// Reads the arguments of one command: options (`--name value` or `--name=value`), flags and positionals.
/// Every argument must be consumed: `finish()` refuses anything left over, so a typo is never ignored.
struct ArgumentReader {
    private var tokens: [String]
    let usage: String

    /// Arguments longer than this are refused: nothing legitimate needs them.
    static let argumentBytesMax = 4096

    init(_ tokens: [String], usage: String) throws {
        for token in tokens where token.utf8.count > ArgumentReader.argumentBytesMax {
            throw UsageError(message: "an argument is longer than \(ArgumentReader.argumentBytesMax) bytes", usage: usage)
        }
        self.tokens = tokens
        self.usage = usage
    }

    /// The value of `--name`, if given (once at most).
    mutating func option(_ name: String) throws -> String? {
        var value: String?
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if token == name {
                guard index + 1 < tokens.count, !tokens[index + 1].hasPrefix("--") else {
                    throw UsageError(message: "\(name) needs a value", usage: usage)
                }
                guard value == nil else { throw UsageError(message: "\(name) is given twice", usage: usage) }
                value = tokens[index + 1]
                tokens.removeSubrange(index...(index + 1))
            } else if token.hasPrefix(name + "=") {
                guard value == nil else { throw UsageError(message: "\(name) is given twice", usage: usage) }
                value = String(token.dropFirst(name.count + 1))
                tokens.remove(at: index)
            } else {
                index += 1
            }
        }
        return value
    }

    /// Every value of an option that may be repeated (`--bank A --bank B`), in order.
    mutating func repeatedOption(_ name: String) throws -> [String] {
        var values: [String] = []
        var index = 0
        while index < tokens.count {
            if tokens[index] == name {
                guard index + 1 < tokens.count, !tokens[index + 1].hasPrefix("--") else {
                    throw UsageError(message: "\(name) needs a value", usage: usage)
                }
                values.append(tokens[index + 1])
                tokens.removeSubrange(index...(index + 1))
            } else if tokens[index].hasPrefix(name + "=") {
                values.append(String(tokens[index].dropFirst(name.count + 1)))
                tokens.remove(at: index)
            } else {
                index += 1
            }
        }
        return values
    }

    mutating func requiredOption(_ name: String) throws -> String {
        guard let value = try option(name) else { throw UsageError(message: "missing \(name)", usage: usage) }
        return value
    }

    /// An option parsed by `parse`, whose error message becomes a usage error naming the option.
    mutating func option<T>(_ name: String, _ parse: (String) throws -> T) throws -> T? {
        guard let text = try option(name) else { return nil }
        do { return try parse(text) } catch {
            throw UsageError(message: "\(name): \(error)", usage: usage)
        }
    }

    mutating func flag(_ name: String) -> Bool {
        guard let index = tokens.firstIndex(of: name) else { return false }
        tokens.remove(at: index)
        return true
    }

    /// The next positional argument, if any.
    mutating func positional() -> String? {
        guard let index = tokens.firstIndex(where: { !$0.hasPrefix("--") || $0 == "-" }) else { return nil }
        return tokens.remove(at: index)
    }

    mutating func requiredPositional(_ what: String) throws -> String {
        guard let value = positional() else { throw UsageError(message: "missing \(what)", usage: usage) }
        return value
    }

    func finish() throws {
        guard let first = tokens.first else { return }
        let message = first.hasPrefix("-") ? "unknown option \(first)" : "unexpected argument \(first)"
        throw UsageError(message: message, usage: usage)
    }
}

/// Parses a port number option.
func parsePort(_ text: String) throws -> Int {
    guard let port = Int(text), (0...65_535).contains(port) else { throw CommandFailure(message: "'\(text)' is not a port number (0-65535)") }
    return port
}

/// Parses a whole number option within `range`.
func parseInt(_ text: String, _ range: ClosedRange<Int>) throws -> Int {
    guard let value = Int(text), range.contains(value) else {
        throw CommandFailure(message: "'\(text)' is not a number from \(range.lowerBound) to \(range.upperBound)")
    }
    return value
}

/// Writes to standard error without buffering surprises.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
