import BankFormats
import Core
import Foundation
import HTTP
import Simulation

/// Seeded random mutations of valid inputs through the parsers facing the outside world: the HTTP
/// request decoder and the statement parsers. A crash ends the process (the script sees it); a
/// hang is caught by the slowest-input figure and the script's overall timeout; every refusal must
/// be a clean typed error.
enum FuzzBench {
    static let countMax = 50_000_000
    static let inputBytesMax = 64 * 1024

    static func run(_ reader: inout ArgumentReader) throws {
        let target = try reader.requiredOption("--target")
        let count = try reader.option("--count") { try parseInt($0, 1...countMax) } ?? 1_000_000
        let seed = try reader.option("--seed") { text -> UInt64 in
            guard let value = UInt64(text) else { throw CommandFailure(message: "a number") }
            return value
        } ?? 1
        try reader.finish()
        let layout = try ProjectLayout.locate()
        let catalog = try CSVFormatCatalog(directory: layout.bankFormats + "/statements")
        let corpus: [[UInt8]]
        let body: ([UInt8]) -> Bool
        switch target {
        case "http":
            corpus = httpCorpus
            body = decodeHTTP
        case "mt940", "camt053", "csv":
            corpus = try statementCorpus(target, layout: layout)
            body = { bytes in parseStatement(bytes, catalog: catalog) }
        case _ where FuzzBenchNotifications.targets.contains(target):
            corpus = FuzzBenchNotifications.corpus(target)
            let format = FuzzBenchNotifications.format(target)
            body = { bytes in parseStatement(bytes, catalog: catalog, format: format) }
        case _ where FuzzBenchXLSX.targets.contains(target):
            corpus = try FuzzBenchXLSX.corpus(target, layout: layout)
            body = { bytes in parseStatement(FuzzBenchXLSX.archive(target, bytes), catalog: catalog) }
        default:
            throw UsageError(message: "--target is http, mt940, mt942, camt053, camt054, csv, xlsx-zip or xlsx-xml", usage: BenchCommand.usage)
        }
        // Seeds the reader refuses would fuzz only its error path: say how many it accepts unmutated.
        let seedsAccepted = corpus.filter(body).count
        var random = SeededRandom.SplitMix64(seed: seed)
        var refused = 0
        var slowest = 0.0
        let start = Date()
        for _ in 0..<count {
            let input = mutate(corpus[Int(random.next() % UInt64(corpus.count))], &random)
            let started = DispatchTime.now().uptimeNanoseconds
            if !body(input) { refused += 1 }
            slowest = max(slowest, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        let seconds = Date().timeIntervalSince(start)
        print(#"{"target":"\#(target)","inputs":\#(count),"refused":\#(refused),"accepted":\#(count - refused),"seconds":\#(Int(seconds.rounded())),"seeds":\#(corpus.count),"seeds_accepted":\#(seedsAccepted),"#
              + #""inputs_per_second":\#(Int(Double(count) / max(seconds, 0.001))),"slowest_ms":\#(String(format: "%.2f", slowest)),"crashes":0}"#)
    }

    /// Byte flips, insertions, deletions, truncations, duplicated or swapped slices.
    static func mutate(_ seed: [UInt8], _ random: inout SeededRandom.SplitMix64) -> [UInt8] {
        var bytes = seed
        let rounds = 1 + Int(random.next() % 8)
        for _ in 0..<rounds where !bytes.isEmpty {
            let position = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 7 {
            case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 2: bytes.remove(at: position)
            case 3: bytes.removeSubrange(position...)
            case 4:
                let end = min(bytes.count, position + 1 + Int(random.next() % 64))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 5: bytes[position] = [0, 10, 13, 32, 58, 44, 59, 34, 60, 62, 0xC3, 0xFF][Int(random.next() % 12)]
            default:
                let other = Int(random.next() % UInt64(bytes.count))
                bytes.swapAt(position, other)
            }
            if bytes.count > inputBytesMax { bytes.removeSubrange(inputBytesMax...) }
        }
        return bytes
    }

    static let httpCorpus: [[UInt8]] = [
        "GET /v1/schools/TH-A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tt_abc\r\n\r\n",
        "POST /v1/callbacks/tuition HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"amount\":150000}",
        "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET /health HTTP/1.0\r\n\r\nGET /health HTTP/1.1\r\nHost: y\r\nConnection: keep-alive\r\n\r\n",
        "GET /v1/callbacks/vnpay?vnp_Amount=1000000&vnp_TxnRef=1%202&vnp_SecureHash=ab HTTP/1.1\r\nHost: h\r\n\r\n",
    ].map { Array($0.utf8) }

    /// Feeds one input to a fresh decoder; true when it produced at least one complete request.
    static func decodeHTTP(_ bytes: [UInt8]) -> Bool {
        var decoder = HTTPRequestDecoder()
        var buffer = bytes[...]
        var completed = false
        for _ in 0..<64 {
            let step = buffer.withUnsafeBytes { decoder.decode($0) }
            precondition(step.consumed >= 0 && step.consumed <= buffer.count, "the decoder consumed bytes it was not given")
            buffer = buffer.dropFirst(step.consumed)
            switch step.event {
            case .needMoreData: return completed
            case .error: return completed
            case .head: if decoder.startBody(bodyBytesMax: 1 << 20) != nil { return completed }
            case .end: completed = true
            }
        }
        return completed
    }

    static func statementCorpus(_ target: String, layout: ProjectLayout) throws -> [[UInt8]] {
        let samples = layout.bankFormats + "/samples"
        let names = try FileManager.default.contentsOfDirectory(atPath: samples).filter { !$0.hasSuffix(".json") }.filter { name in
            switch target {
            case "mt940": return name.hasSuffix(".sta")
            case "camt053": return name.hasSuffix(".xml")
            default: return name.hasSuffix(".csv") || name.hasSuffix(".txt")
            }
        }
        guard !names.isEmpty else { throw CommandFailure(message: "no \(target) samples in \(samples)") }
        return try names.sorted().map { Array(try Data(contentsOf: URL(fileURLWithPath: samples + "/" + $0))) }
    }

    /// Parses one input; true when it parsed, false on a clean refusal (a thrown error).
    static func parseStatement(_ bytes: [UInt8], catalog: CSVFormatCatalog, format: StatementFormat = .auto) -> Bool {
        var summary = StatementSummary(format: "fuzz")
        do {
            try StatementParsing.parse(bytes: bytes, name: "fuzz", format: format, descriptions: catalog, consumer: &summary)
            return true
        } catch {
            return false
        }
    }
}
