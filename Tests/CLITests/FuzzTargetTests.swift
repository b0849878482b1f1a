import Foundation
import Testing
import TestSupport

/// `tuition bench fuzz` on the provisional-money readers: their seeds are accepted unmutated (so the
/// mutations start from inputs that reach the whole reader, not only its first check), and a short run
/// ends cleanly. The million-input runs are `bench/fault-fuzz.sh`.
@Suite struct FuzzTargetTests {
    @Test("camt054 and mt942: every seed parses unmutated, and seeded mutations end in a clean summary",
          arguments: ["camt054", "mt942"])
    func seedsParse(target: String) throws {
        let result = try TuitionBinary.run(["bench", "fuzz", "--target", target, "--count", "300", "--seed", "11"])
        #expect(result.status == 0, "\(result.output)")
        let line = try #require(result.output.split(separator: "\n").last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(summary["target"] as? String == target)
        #expect(summary["inputs"] as? Int == 300)
        let seeds = try #require(summary["seeds"] as? Int)
        #expect(seeds >= 3 && summary["seeds_accepted"] as? Int == seeds)
        #expect((summary["accepted"] as? Int ?? 0) + (summary["refused"] as? Int ?? 0) == 300)
    }
}
