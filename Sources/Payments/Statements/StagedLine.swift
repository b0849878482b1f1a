import BankFormats
import Core

/// One statement line as the import keeps it: checked (VND, whole đồng, dated), its duplicate key
/// computed, its memo prepared for the bank transaction, bank fees and payment codes recognised.
struct StagedLine: Sendable {
    var seq: Int
    var statementIndex: Int
    var position: SourcePosition
    var bookedOn: CalendarDate
    var valueDate: CalendarDate?
    /// Signed whole đồng: positive for money in.
    var amount: Int64
    var bankReference: String?
    var customerReference: String?
    /// As in the file (kept on the statement line).
    var memo: String
    /// Without control characters, cut as `IncomingBatch.insert` cuts it (kept on the bank transaction).
    var storedMemo: String
    /// `VietnameseText.normalized(storedMemo)`.
    var normalizedMemo: String
    var payerName: String?
    var payerAccount: String?
    var keyBase: String
    var isFee: Bool
    /// Valid payment codes of the school in the memo or the payer's name (credit lines only): such a
    /// line may pay invoices automatically, so it goes through `IncomingBatch.applyBooked`.
    var codes: [String]
    /// Words of the memo and the structured fields that could be a pupil's virtual account (credit
    /// lines only): `StatementStaging.recognizeVirtualAccounts` keeps the one a student of the school holds.
    var accountCandidates: [String] = []
    /// camt: the `TxDtls` index of a line split from its entry (part of a notification line's identity).
    var detailIndex: Int?

    var isCredit: Bool { amount > 0 }

    /// Why a line is not imported without being an error.
    enum Skip {
        /// camt `Sts` other than `BOOK` (`PDNG`, `INFO`): the bank has not booked it yet.
        case notBooked
        /// A zero amount moves no money.
        case zeroAmount
    }

    enum Conversion {
        case staged(StagedLine)
        case skipped(Skip)
    }

    /// Checks and converts a parsed line: staged, skipped (not an error), or refused with an error naming it.
    static func make(_ line: StatementLine, seq: Int, file: String, finder: PaymentCodeFinder) throws(StatementImportError) -> Conversion {
        guard line.isBooked else { return .skipped(.notBooked) }
        let amount = try wholeDong(line.amount, file: file, position: line.position, field: "amount")
        guard amount != 0 else { return .skipped(.zeroAmount) }
        guard let bookedOn = line.bookingDate ?? line.valueDate else {
            throw StatementImportError(.undated, file: file, position: line.position, field: "booking date",
                                       message: "the line has neither a booking date nor a value date")
        }
        let storedMemo = StatementText.sanitized(line.memo, characterMax: StatementImportLimits.transactionMemoCharactersMax)
        let normalizedMemo = StatementText.normalized(storedMemo)
        let reference = StatementText.nonEmpty(line.bankReference)
        // The fingerprint reads the whole memo; it equals the stored one unless the memo was cut.
        let fullNormalized = storedMemo.utf8.count == line.memo.utf8.count ? normalizedMemo : StatementText.normalized(line.memo)
        let payerName = StatementText.nonEmpty(line.counterpartyName).map {
            StatementText.sanitized($0, characterMax: StatementImportLimits.payerNameCharactersMax)
        }
        var staged = StagedLine(
            seq: seq, statementIndex: line.statementIndex, position: line.position, bookedOn: bookedOn, valueDate: line.valueDate,
            amount: amount, bankReference: reference, customerReference: StatementText.nonEmpty(line.customerReference),
            memo: line.memo, storedMemo: storedMemo, normalizedMemo: normalizedMemo, payerName: payerName,
            payerAccount: StatementText.nonEmpty(line.counterpartyAccount).map {
                StatementText.sanitized($0, characterMax: StatementImportLimits.payerAccountCharactersMax)
            },
            keyBase: StatementLineKey.base(reference: reference, detailIndex: line.detailIndex, bookedOn: bookedOn, amount: amount,
                                           normalizedMemo: fullNormalized),
            isFee: BankFeeRecognition.isFee(typeCode: line.transactionTypeCode), codes: [], detailIndex: line.detailIndex)
        if staged.isCredit && !staged.isFee {
            staged.codes = validCodes(staged, finder: finder)
            staged.accountCandidates = accountCandidates(line)
        }
        return .staged(staged)
    }

    /// The shortest and longest virtual account compared, and how many words of a line are.
    static let accountCandidateCharacters = 6...19
    static let accountCandidatesMax = 16

    /// Runs of letters and digits (upper-cased, holding a digit) of a virtual account's length in the
    /// memo, the MT940 `:86:` subfields and supplementary details: a bank writes the virtual account
    /// the payer paid into there (`TKDD 9704001234`, `?31`, `VA:...`), and camt's structured fields:
    /// the creditor account (`CdtrAcct`) and creditor references (`RmtInf/Strd/CdtrRefInf/Ref`).
    static func accountCandidates(_ line: StatementLine) -> [String] {
        var candidates: [String] = []
        let texts = [line.memo, line.supplementaryDetails ?? "", line.creditorAccount ?? ""] + line.creditorReferences
            + line.informationSubfields.map(\.value)
        for text in texts {
            var word: [UInt8] = []
            var hasDigit = false
            for byte in text.utf8 + [0x20] {
                let upper = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
                if (upper >= 0x30 && upper <= 0x39) || (upper >= 0x41 && upper <= 0x5A) {
                    word.append(upper)
                    hasDigit = hasDigit || upper <= 0x39
                    continue
                }
                if hasDigit, accountCandidateCharacters.contains(word.count) {
                    let candidate = String(decoding: word, as: UTF8.self)
                    if !candidates.contains(candidate) { candidates.append(candidate) }
                    if candidates.count == accountCandidatesMax { return candidates }
                }
                word.removeAll(keepingCapacity: true)
                hasDigit = false
            }
        }
        return candidates
    }

    /// The codes `SchoolMatchData.targeted` would read: valid codes in the stored memo and the payer's name.
    static func validCodes(_ line: StagedLine, finder: PaymentCodeFinder) -> [String] {
        var codes: [String] = []
        for text in [line.normalizedMemo, line.payerName.map(StatementText.normalized) ?? ""] where !text.isEmpty {
            for candidate in finder.candidates(inNormalizedMemo: text) where candidate.isValid && !codes.contains(candidate.text) {
                codes.append(candidate.text)
            }
        }
        return codes
    }

    /// Whole đồng of a VND amount; an error naming the line and field otherwise.
    static func wholeDong(_ amount: StatementAmount, file: String, position: SourcePosition, field: String) throws(StatementImportError) -> Int64 {
        do {
            return try amount.wholeDong().dong
        } catch .notVND(let currency) {
            throw StatementImportError(.notVND, file: file, position: position, field: field,
                                       message: "is in \(currency); the ledger imports only VND statements")
        } catch {
            throw StatementImportError(.notWholeDong, file: file, position: position, field: field, message: error.description)
        }
    }

    /// The columns of the staging table, in `StatementStaging.copyColumns` order (nil is NULL).
    var copyRow: [String?] {
        [String(seq), String(statementIndex), String(position.line), position.xmlPath, bookedOn.iso, valueDate?.iso, String(amount),
         bankReference, customerReference, memo, storedMemo, normalizedMemo, payerName, payerAccount, keyBase,
         isFee ? "t" : "f", codes.isEmpty ? nil : "{" + codes.joined(separator: ",") + "}",
         StatementLineKey.isFingerprint(keyBase) ? nil : keyBase,
         accountCandidates.isEmpty ? nil : "{" + accountCandidates.joined(separator: ",") + "}"]
    }
}
