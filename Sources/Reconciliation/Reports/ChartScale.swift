import Core

/// A value axis from zero: a "nice" tick step (1, 2 or 5 × 10ⁿ đồng), the axis maximum, and the unit the tick
/// labels are written in. Integers only.
struct ChartScale: Hashable, Sendable {
    let step: Int64
    let axisMax: Int64
    /// The unit the labels are divided by and its name: 1 "đồng", 10³ "nghìn đồng", 10⁶ "triệu đồng", 10⁹ "tỷ đồng".
    let unit: Int64
    let unitName: String

    /// The largest value an axis is built for (a thousand times a single amount's bound), so no step overflows.
    static let maximumMax: Int64 = 1_000_000_000_000_000_000
    /// Ticks wanted at most above zero.
    static let ticksMax: Int64 = 5
    /// The axis of an all-zero (or empty) series: 0 to 1 triệu đồng.
    static let emptyAxisMax: Int64 = 1_000_000
    static let units: [(Int64, String)] = [
        (1_000_000_000, "tỷ đồng"), (1_000_000, "triệu đồng"), (1_000, "nghìn đồng"), (1, "đồng"),
    ]

    /// The smallest nice axis that holds `maximum` (≥ 0) in at most `ticksMax` steps.
    init(maximum: Int64) {
        precondition((0...ChartScale.maximumMax).contains(maximum), "chart maximum out of range")
        guard maximum > 0 else {
            self.init(step: ChartScale.emptyAxisMax, axisMax: ChartScale.emptyAxisMax)
            return
        }
        let rawStep = maximum / ChartScale.ticksMax + (maximum % ChartScale.ticksMax == 0 ? 0 : 1)
        var magnitude: Int64 = 1
        var step: Int64 = 0
        // At most 18 rounds: rawStep ≤ 2 × 10¹⁷, so 5 × 10¹⁷ at the latest reaches it.
        while step == 0 {
            for factor: Int64 in [1, 2, 5] where factor * magnitude >= rawStep {
                step = factor * magnitude
                break
            }
            if step == 0 { magnitude *= 10 }
        }
        let steps = maximum / step + (maximum % step == 0 ? 0 : 1)
        self.init(step: step, axisMax: step * steps)
    }

    private init(step: Int64, axisMax: Int64) {
        self.step = step
        self.axisMax = axisMax
        let (unit, unitName) = ChartScale.units.first { step % $0.0 == 0 }!
        self.unit = unit
        self.unitName = unitName
    }

    var ticks: [Int64] { Array(stride(from: Int64(0), through: axisMax, by: Int(step))) }

    /// The tick's label in the unit, grouped Vietnamese style: 1.500 (triệu đồng).
    func label(_ tick: Int64) -> String { MoneyFormat.groupedDigits(tick / unit, separator: ".") }

    /// `length × value / axisMax`, rounded down, for 0 ≤ value ≤ axisMax; 128-bit so no value can overflow it.
    func scaled(_ value: Int64, length: Int) -> Int {
        let clamped = UInt64(min(max(value, 0), axisMax))
        let product = clamped.multipliedFullWidth(by: UInt64(length))
        let (quotient, _) = UInt64(axisMax).dividingFullWidth(product)
        return Int(quotient)
    }
}
