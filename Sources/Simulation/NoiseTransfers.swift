import Core
import Reconciliation

/// Money on a school's account that is not tuition: interest, cash deposits, refunds, donations, book sales,
/// and memos with code-like references. Some carry a guardian's name or a common invoice amount on purpose.
extension TransferGenerator {
    static let noiseKindCount = 6

    mutating func emitNoise(count: Int, random: inout SeededRandom) {
        for _ in 0..<count {
            let date = randomDay(random: &random)
            let (amount, memo, payer) = noise(kind: random.below(TransferGenerator.noiseKindCount), random: &random)
            drafts.append(Draft(date: date, amount: amount, memo: memo, payer: payer, virtualAccount: nil,
                                label: TransferLabel(scenario: .notTuition, allocations: [], creditHolder: nil)))
        }
    }

    private func noise(kind: Int, random: inout SeededRandom) -> (Int64, String, String?) {
        let month = parameters.month
        switch kind {
        case 0:
            return (Int64(random.inRange(5_000...300_000)), "LAI TIEN GUI KY \(month.month)/\(month.year)", nil)
        case 1:
            let staff = MemoWriter.upper(randomPerson(random: &random))
            return (Int64(random.inRange(10...500)) * 100_000, "NOP TIEN MAT \(staff)", staff)
        case 2:
            return (Int64(random.inRange(10...300)) * 10_000, "HOAN TIEN GD \(random.digits(12))", "CONG TY CP DICH VU THANH TOAN")
        case 3:
            let guardian = MemoWriter.upper(random.pick(roster.families).guardianName)
            return (Int64(random.inRange(2...20)) * 100_000, "UNG HO QUY KHUYEN HOC", guardian)
        case 4:
            let amount = roster.invoices.isEmpty ? 150_000 : random.pick(roster.invoices).total.dong
            return (amount, "TRA TIEN SACH GIAO KHOA", MemoWriter.upper(randomPerson(random: &random)))
        default:
            var reference = roster.school.paymentCodePrefix
            for _ in 0..<7 { reference.unicodeScalars.append(UnicodeScalar(random.pick(PaymentCode.alphabet))) }
            return (Int64(random.inRange(1...50)) * 50_000, "MA THAM CHIEU \(reference)", nil)
        }
    }

    private func randomPerson(random: inout SeededRandom) -> String {
        let family = VietnameseNames.familyNames[random.weightedIndex(VietnameseNames.familyNameWeights)].name
        return RosterGenerator.personName(family: family, male: random.chance(perMille: 500), random: &random)
    }
}
