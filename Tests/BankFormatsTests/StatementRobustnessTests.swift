import Foundation
import TestSupport
import Testing
@testable import BankFormats

/// Mutations of a valid file: byte flips, insertions (of random bytes and of syntax that matters to
/// the parsers), deletions, truncations, duplicated and swapped lines.
enum StatementMutator {
    static let tokens: [[UInt8]] = [
        ":61:", ":86:", ":20:", ":60F:", ":62F:", "-}", "{4:", "?20", "//", ",", "\n", "\r\n", "RC", "DR",
        "<", ">", "</", "/>", "&", "&#x", "&amp;", "<![CDATA[", "]]>", "<!--", "<Ntry>", "</Ntry>", "<TxDtls>", "<Amt Ccy=\"EUR\">",
        "\"", "\"\"", ";", "\t", "(", ")", "-", ".", "0", "9", "99999999999999999999", "31/12/2024", "DƯ ĐẦU",
        "\u{FEFF}", "\u{0}", "\u{FFFF}", "😀",
    ].map { Array($0.utf8) }

    static func mutate(_ seed: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            apply(Int.random(in: 0..<8, using: &generator), to: &bytes, using: &generator)
        }
        return bytes
    }

    private static func apply(_ kind: Int, to bytes: inout [UInt8], using generator: inout SplitMix64) {
        guard !bytes.isEmpty else { return bytes = tokens.randomElement(using: &generator)! }
        let at = Int.random(in: 0..<bytes.count, using: &generator)
        switch kind {
        case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
        case 1: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: at)
        case 3: bytes.insert(contentsOf: tokens.randomElement(using: &generator)!, at: at)
        case 4: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &generator)))
        case 5: bytes.removeSubrange(at...)
        case 6: duplicateLine(&bytes, at: at, using: &generator)
        default: swapLines(&bytes, using: &generator)
        }
    }

    private static func lineRange(_ bytes: [UInt8], containing index: Int) -> Range<Int> {
        let start = bytes[..<index].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let end = bytes[index...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
        return start..<end
    }

    private static func duplicateLine(_ bytes: inout [UInt8], at index: Int, using generator: inout SplitMix64) {
        let line = Array(bytes[lineRange(bytes, containing: index)])
        let target = lineRange(bytes, containing: Int.random(in: 0..<bytes.count, using: &generator)).lowerBound
        bytes.insert(contentsOf: line, at: target)
    }

    private static func swapLines(_ bytes: inout [UInt8], using generator: inout SplitMix64) {
        let first = lineRange(bytes, containing: Int.random(in: 0..<bytes.count, using: &generator))
        let second = lineRange(bytes, containing: Int.random(in: 0..<bytes.count, using: &generator))
        guard first.upperBound <= second.lowerBound else { return }
        let a = Array(bytes[first]), b = Array(bytes[second])
        bytes.replaceSubrange(second, with: a)
        bytes.replaceSubrange(first, with: b)
    }
}

@Suite("Statement robustness")
struct StatementRobustnessTests {
    /// 100,000 mutated files per run in all: 40,000 MT940, 20,000 camt.053 and 40,000 CSV (over the five banks
    /// and detection). camt.053 gets fewer because its samples are several times larger; the split keeps the
    /// whole suite near 20 s of processor time in a debug build (a run in parallel on 2 cores).
    /// No single input may use more processor time than this (a hang or a quadratic path would show as far more);
    /// thread CPU time, not wall time, so a busy machine does not fail the test.
    static let inputSecondsMax = 1

    static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    struct Target: Sendable, CustomTestStringConvertible {
        var name: String
        var samples: [String]
        var format: @Sendable (String) -> StatementFormat
        var seed: UInt64
        var count: Int
        var testDescription: String { name }
    }

    static let targets: [Target] = [
        Target(name: "MT940", samples: ["mt940.sta"], format: { _ in .mt940 }, seed: 940, count: 40_000),
        Target(name: "camt.053", samples: ["camt053-v02.xml", "camt053-v08.xml"], format: { _ in .camt053 }, seed: 53, count: 20_000),
        Target(name: "CSV (Vietcombank, BIDV, VietinBank)", samples: ["vietcombank.csv", "bidv.csv", "vietinbank.txt"],
               format: { .csv(($0 as NSString).deletingPathExtension) }, seed: 4180, count: 20_000),
        Target(name: "CSV (Techcombank, MB) and detection", samples: ["techcombank.csv", "mb.csv", "mt940.sta"],
               format: { $0.hasSuffix(".sta") ? .auto : .csv(($0 as NSString).deletingPathExtension) }, seed: 4181, count: 20_000),
    ]

    /// XML samples without the indentation between tags: the same content in fewer bytes, so more mutations fit the time.
    static func compacted(_ bytes: [UInt8], isXML: Bool) -> [UInt8] {
        guard isXML else { return bytes }
        var output: [UInt8] = []
        var pendingSpace: [UInt8] = []
        for byte in bytes {
            if byte == 0x20 || byte == 0x0A || byte == 0x0D {
                pendingSpace.append(byte)
                continue
            }
            if !(byte == UInt8(ascii: "<") && output.last == UInt8(ascii: ">")) { output += pendingSpace }
            pendingSpace.removeAll()
            output.append(byte)
        }
        return output
    }

    @Test("the targets add up to 100,000 mutations")
    func total() {
        #expect(Self.targets.map(\.count).reduce(0, +) == 100_000)
    }

    @Test("seeded mutations of the samples never crash or hang; every failure is a clean parse error", arguments: targets)
    func mutations(target: Target) throws {
        var generator = SplitMix64(seed: target.seed)
        let seeds = target.samples.map { ($0, Self.compacted(StatementFixtures.sample($0), isXML: $0.hasSuffix(".xml"))) }
        var failures = 0
        var slowest = Duration.zero
        for _ in 0..<target.count {
            let (name, seed) = seeds.randomElement(using: &generator)!
            let input = StatementMutator.mutate(seed, using: &generator)
            var consumer = DiscardingConsumer()
            let started = Self.threadCPUTime()
            do {
                try StatementParsing.parse(bytes: input, name: name, format: target.format(name), descriptions: StatementFixtures.catalog, consumer: &consumer)
            } catch let error as StatementParseError {
                failures += 1
                #expect(!error.message.isEmpty && error.file == name)
            }
            slowest = max(slowest, Self.threadCPUTime() - started)
        }
        #expect(slowest < .seconds(Self.inputSecondsMax), "the slowest input took \(slowest) of processor time")
        // Most mutations break a file; some (a changed memo letter) leave it valid. Both must happen.
        #expect(failures > target.count / 10 && failures < target.count)
    }
}
