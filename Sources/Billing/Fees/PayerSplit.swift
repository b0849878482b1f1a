import Core

/// Splits a charge between the state budget and the family (e.g. BHYT: the state pays 30 %), pure.
///
/// A state share is a percentage (basis points) or a fixed amount per month (the province's support per pupil
/// per month, in đồng). Either way the state's part is at most `whole − 1` so the family's line is never empty,
/// and the family pays `whole − state`: the parts always sum exactly to the whole.
public enum PayerSplit {
    public static let basisPointsMax = 9_999

    /// The state's part of `whole` at `stateBasisPoints`: `whole × basisPoints / 10,000` **rounded half up**.
    public static func split(whole: Int64, stateBasisPoints: Int) -> (state: Int64, family: Int64) {
        precondition(whole >= 1 && whole <= BillingLimits.monthlyAmountDongMax * 31 && (0...basisPointsMax).contains(stateBasisPoints))
        let state = min((whole * Int64(stateBasisPoints) + 5_000) / 10_000, whole - 1)
        return (state, whole - state)
    }

    /// The state's part of `whole` when it pays `fixed` đồng of a full month's charge `fullMonth`: the fixed amount
    /// itself when the line bills the full month, else in proportion, `fixed × whole / fullMonth` **rounded half up**
    /// (a pupil billed 15 of 31 days of a 1,500,000 đ month with 800,000 đ of support: 387,097 đ from the budget).
    public static func split(whole: Int64, stateFixed fixed: Int64, fullMonth: Int64) -> (state: Int64, family: Int64) {
        precondition(whole >= 1 && fullMonth >= whole && fullMonth <= BillingLimits.monthlyAmountDongMax * 31
                     && (1...BillingLimits.monthlyAmountDongMax).contains(fixed))
        var share = fixed
        if whole < fullMonth {
            // fixed × whole can pass Int64 (10⁹ × 3.1·10¹⁰): multiply and divide at full width, then round half up.
            let product = fixed.multipliedFullWidth(by: whole)
            let (quotient, remainder) = fullMonth.dividingFullWidth(product)
            share = quotient + (remainder * 2 >= fullMonth ? 1 : 0)
        }
        let state = min(share, whole - 1)
        return (state, whole - state)
    }
}

/// What the state budget pays of a schedule's lines: a share in basis points or a fixed amount per month.
public enum StateShare: Hashable, Sendable {
    case basisPoints(Int)
    /// Đồng per pupil per month (of a full month; part months in proportion).
    case fixedPerMonth(Money)

    /// The share a schedule records, if any (at most one of the two columns is set).
    public init?(basisPoints: Int?, fixedDong: Int64?) {
        if let basisPoints { self = .basisPoints(basisPoints) } else if let fixedDong { self = .fixedPerMonth(Money(dong: fixedDong)) } else { return nil }
    }

    /// Splits `whole` (of a full month's `fullMonth`) into the state's and the family's parts.
    public func split(whole: Int64, fullMonth: Int64) -> (state: Int64, family: Int64) {
        switch self {
        case .basisPoints(let points): return PayerSplit.split(whole: whole, stateBasisPoints: points)
        case .fixedPerMonth(let amount): return PayerSplit.split(whole: whole, stateFixed: amount.dong, fullMonth: fullMonth)
        }
    }

    /// How claims and notices name the basis: "30 %" or "800.000 đ/tháng".
    public var basisText: String {
        switch self {
        case .basisPoints(let points):
            let whole = points / 100, fraction = points % 100
            return fraction == 0 ? "\(whole) %" : "\(whole),\(fraction < 10 ? "0" : "")\(fraction) %"
        case .fixedPerMonth(let amount): return "\(amount)/tháng"
        }
    }
}
