import Core

/// Exceptions the monthly report lists beside the matcher's decisions.
public enum ReconciliationExceptions {
    /// Payments this many days apart or closer, with the same payer, amount and memo, look duplicated.
    public static let duplicateWindowDays = 3
    /// A memo token with at least this many digits is a bank reference or account number: it differs
    /// between two sends of the same transfer, so it is left out of the comparison.
    public static let referenceDigitsMin = 6
    /// An amount is far from every invoice when it differs by more than this percentage from each invoice's
    /// total and outstanding amount, each student's open total and each family's open total.
    public static let farAmountPercent: Int64 = 50

    /// Groups of incoming transactions that look like the same payment sent more than once:
    /// same normalised payer, same amount, same memo once references are removed, each within
    /// `windowDays` of the previous one. Groups and their members are in booking order.
    public static func likelyDuplicates(
        _ transactions: [MatchTransaction], windowDays: Int = duplicateWindowDays
    ) -> [DuplicateGroup] {
        precondition(windowDays >= 0, "window must not be negative")
        var byFingerprint: [PaymentFingerprint: [MatchTransaction]] = [:]
        for transaction in MatchRun.bookingOrder(transactions) where transaction.amount.isPositive {
            byFingerprint[PaymentFingerprint(transaction), default: []].append(transaction)
        }
        var groups: [DuplicateGroup] = []
        for (fingerprint, members) in byFingerprint where members.count > 1 {
            var chain = [members[0]]
            for transaction in members.dropFirst() {
                if chain.last!.bookingDate.days(until: transaction.bookingDate) <= windowDays {
                    chain.append(transaction)
                    continue
                }
                if chain.count > 1 { groups.append(DuplicateGroup(fingerprint: fingerprint, members: chain)) }
                chain = [transaction]
            }
            if chain.count > 1 { groups.append(DuplicateGroup(fingerprint: fingerprint, members: chain)) }
        }
        return groups.sorted { ($0.firstBookingDate, $0.transactionIds[0]) < ($1.firstBookingDate, $1.transactionIds[0]) }
    }

    /// Incoming transactions whose amount is far (see `farAmountPercent`) from anything the school bills,
    /// in booking order.
    public static func amountsFarFromInvoices(_ transactions: [MatchTransaction], in context: MatchContext) -> [FarAmount] {
        MatchRun.bookingOrder(transactions).compactMap { transaction in
            guard transaction.amount.isPositive else { return nil }
            let nearest = nearestLandmark(transaction.amount.dong, in: context.amountLandmarks)
            if let nearest, isNear(transaction.amount.dong, nearest) { return nil }
            return FarAmount(transactionId: transaction.id, amount: transaction.amount,
                             nearestBilledAmount: nearest.map(Money.init(dong:)))
        }
    }

    static func isNear(_ amount: Int64, _ landmark: Int64) -> Bool {
        // |amount − landmark| · 100 ≤ percent · landmark, in 128-bit-safe form: both factors stay below 2^63 / 100.
        let difference = (amount - landmark).magnitude
        return difference <= UInt64(landmark) / 100 * UInt64(farAmountPercent)
            + UInt64(landmark) % 100 * UInt64(farAmountPercent) / 100
    }

    static func nearestLandmark(_ amount: Int64, in sorted: [Int64]) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < amount { low = middle + 1 } else { high = middle }
        }
        let above = low < sorted.count ? sorted[low] : nil
        let below = low > 0 ? sorted[low - 1] : nil
        guard let above else { return below }
        guard let below else { return above }
        return amount - below <= above - amount ? below : above
    }
}

/// What two sends of the same transfer have in common.
public struct PaymentFingerprint: Hashable, Sendable, Codable {
    public var payer: String
    public var amount: Money
    public var memo: String

    public init(_ transaction: MatchTransaction) {
        self.payer = VietnameseText.normalized(transaction.payerName ?? "")
        self.amount = transaction.amount
        let memo = VietnameseText.normalized(String(transaction.memo.prefix(MatchContext.memoCharactersMax)))
        self.memo = memo.split(separator: " ")
            .filter { token in token.utf8.count(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
                < ReconciliationExceptions.referenceDigitsMin }
            .joined(separator: " ")
    }
}

public struct DuplicateGroup: Hashable, Sendable, Codable {
    public var fingerprint: PaymentFingerprint
    /// In booking order; the first is presumably the genuine payment.
    public var transactionIds: [Int64]
    public var firstBookingDate: CalendarDate
    public var lastBookingDate: CalendarDate

    init(fingerprint: PaymentFingerprint, members: [MatchTransaction]) {
        self.fingerprint = fingerprint
        self.transactionIds = members.map(\.id)
        self.firstBookingDate = members.first!.bookingDate
        self.lastBookingDate = members.last!.bookingDate
    }
}

public struct FarAmount: Hashable, Sendable, Codable {
    public var transactionId: Int64
    public var amount: Money
    /// The closest amount the school bills, nil when it bills nothing.
    public var nearestBilledAmount: Money?
}
