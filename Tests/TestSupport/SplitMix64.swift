/// SplitMix64: the one seeded generator of the tests, so a failing case replays from its seed.
///
/// Tests draw through `next()` and `below(_:)` (never the standard library's `random(in:using:)`,
/// whose algorithm may change between toolchains), so a seed gives the same inputs everywhere.
/// The program's own seeded data (the demo, benches, the fuzz workload) use `Simulation`'s generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A number in `0..<bound`, by remainder: slightly biased for large bounds, which is fine for picking test inputs.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        return Int(next() % UInt64(bound))
    }
}
