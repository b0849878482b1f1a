/// Splits a charge between the state budget and the family (e.g. BHYT: the state pays 30 %), pure.
///
/// The state's share is `whole × basisPoints / 10,000` **rounded half up** to a whole đồng, at most `whole − 1`
/// so the family's line is never empty; the family pays `whole − state`. The parts always sum exactly to the whole.
public enum PayerSplit {
    public static let basisPointsMax = 9_999

    public static func split(whole: Int64, stateBasisPoints: Int) -> (state: Int64, family: Int64) {
        precondition(whole >= 1 && whole <= BillingLimits.monthlyAmountDongMax * 31 && (0...basisPointsMax).contains(stateBasisPoints))
        let state = min((whole * Int64(stateBasisPoints) + 5_000) / 10_000, whole - 1)
        return (state, whole - state)
    }
}
