import Core

/// One fee billed to a student for a month, before discounts.
public struct Charge: Hashable, Sendable, Codable {
    public var feeTypeID: Int64
    public var scheduleID: Int64
    public var gross: Money
    /// How a per-day charge was counted (gross + state share = days × rate); nil for a monthly charge.
    public var days: DayCount?
    /// What the state budget pays of the charge (`PayerSplit`); `gross` is the family's part.
    public var stateShare: Money

    public init(feeTypeID: Int64, scheduleID: Int64, gross: Money, days: DayCount? = nil, stateShare: Money = .zero) {
        precondition(days.map { Int64($0.billed) * $0.rate.dong == gross.dong + stateShare.dong } ?? true, "a per-day charge is days × rate")
        self.feeTypeID = feeTypeID
        self.scheduleID = scheduleID
        self.gross = gross
        self.days = days
        self.stateShare = stateShare
    }
}

/// The count behind a per-day line: `billed` days × `rate`, after `credited` absent days of earlier months.
public struct DayCount: Hashable, Sendable, Codable {
    public var billed: Int
    public var rate: Money
    public var credited: Int

    public init(billed: Int, rate: Money, credited: Int) {
        self.billed = billed
        self.rate = rate
        self.credited = credited
    }
}

/// An invoice line: gross, discount and net, with the reasons of the discounts that took something.
public struct DiscountedLine: Hashable, Sendable, Codable {
    public var feeTypeID: Int64
    public var scheduleID: Int64
    public var gross: Money
    public var discount: Money
    public var net: Money
    public var reasons: [String]
    public var days: DayCount? = nil
    public var stateShare: Money = .zero
}

/// Discount arithmetic, in exact integers. The rule, per invoice:
///
/// 1. Percentage discounts: for each line, the basis points of every percentage discount that applies
///    to its fee type (or to all fees) are added, capped at 10,000 (a full exemption), and the line's
///    percentage discount is `gross × points / 10,000` **rounded half up to a whole đồng**, per line.
/// 2. Fixed discounts for one fee type then take off up to what is left of that line.
/// 3. Fixed discounts for all fees take off from the lines in order (the invoice's line order),
///    each line giving up at most what is left of it, until the discount is used up.
///
/// A discount never takes a line below zero; what a fixed discount cannot take is not carried over.
/// Each line's `net = gross − discount`, and the invoice's total is the sum of the nets, so the lines
/// always add up exactly to the total.
public enum DiscountArithmetic {
    public static func apply(_ charges: [Charge], discounts: [StudentDiscount]) -> [DiscountedLine] {
        var lines = charges.map { charge -> DiscountedLine in
            precondition(charge.gross.dong >= 0 && charge.gross.dong <= BillingLimits.monthlyAmountDongMax, "gross out of bounds")
            return DiscountedLine(feeTypeID: charge.feeTypeID, scheduleID: charge.scheduleID, gross: charge.gross,
                                  discount: .zero, net: charge.gross, reasons: [], days: charge.days, stateShare: charge.stateShare)
        }
        for index in lines.indices {
            var points = 0
            var reasons: [String] = []
            for discount in discounts where discount.feeTypeID == nil || discount.feeTypeID == lines[index].feeTypeID {
                guard case .percentage(let basisPoints) = discount.value else { continue }
                points += basisPoints
                reasons.append(discount.reason)
            }
            let taken = percentage(of: lines[index].gross.dong, basisPoints: min(points, Discounts.basisPointsMax))
            take(taken, from: &lines[index], reasons: reasons)
        }
        for discount in discounts {
            guard case .fixed(let amount) = discount.value, let feeTypeID = discount.feeTypeID else { continue }
            for index in lines.indices where lines[index].feeTypeID == feeTypeID {
                take(min(amount.dong, lines[index].net.dong), from: &lines[index], reasons: [discount.reason])
            }
        }
        for discount in discounts {
            guard case .fixed(let amount) = discount.value, discount.feeTypeID == nil else { continue }
            var left = amount.dong
            for index in lines.indices where left > 0 {
                let taken = min(left, lines[index].net.dong)
                take(taken, from: &lines[index], reasons: [discount.reason])
                left -= taken
            }
        }
        for line in lines { precondition(line.net.dong == line.gross.dong - line.discount.dong && line.net.dong >= 0) }
        return lines
    }

    /// `gross × basisPoints / 10,000`, rounded half up to a whole đồng (gross ≥ 0).
    public static func percentage(of gross: Int64, basisPoints: Int) -> Int64 {
        precondition(gross >= 0 && gross <= BillingLimits.monthlyAmountDongMax && (0...Discounts.basisPointsMax).contains(basisPoints))
        return (gross * Int64(basisPoints) + 5_000) / 10_000
    }

    private static func take(_ amount: Int64, from line: inout DiscountedLine, reasons: [String]) {
        guard amount > 0 else { return }
        precondition(amount <= line.net.dong)
        line.discount = Money(dong: line.discount.dong + amount)
        line.net = Money(dong: line.net.dong - amount)
        for reason in reasons where !line.reasons.contains(reason) { line.reasons.append(reason) }
    }
}
