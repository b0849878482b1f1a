import Testing
@testable import Core

@Suite struct PaymentCodeTests {
    static let prefixes = ["HP", "T", "ABC"]

    @Test func codesHaveTheDocumentedShape() throws {
        for prefix in Self.prefixes {
            for serial in [UInt64(0), 1, 2, 31, 32, 1000, 33_554_431] {
                let student = try PaymentCode(prefix: prefix, kind: .student, serial: serial)
                #expect(student.text.count == prefix.count + 6)
                #expect(student.text.count <= PaymentCode.lengthMax)
                #expect(student.text.hasPrefix(prefix))
                #expect(!student.text.contains { "OI01".contains($0) })
                #expect(PaymentCode.isValid(student.text, prefix: prefix) == .student)
                let invoice = try PaymentCode(prefix: prefix, kind: .invoice, serial: serial)
                #expect(invoice.text.count == prefix.count + 7)
                #expect(PaymentCode.isValid(invoice.text, prefix: prefix) == .invoice)
            }
        }
    }

    @Test func serialsMapToDistinctCodes() throws {
        var seen = Set<String>()
        for serial in UInt64(0)..<20_000 {
            #expect(seen.insert(try PaymentCode(prefix: "HP", kind: .student, serial: serial).text).inserted)
        }
    }

    @Test func refusesBadPrefixesAndSerials() {
        for prefix in ["", "HPXY", "H1", "IO", "hp", "Đ"] {
            #expect(throws: PaymentCodeError.invalidPrefix(prefix)) { try PaymentCode(prefix: prefix, kind: .student, serial: 1) }
        }
        #expect(throws: PaymentCodeError.serialOutOfRange(1 << 25)) {
            try PaymentCode(prefix: "HP", kind: .student, serial: 1 << 25)
        }
    }

    /// Exhaustive over a sample of codes: every single-symbol substitution and every adjacent transposition is detected.
    @Test func checkSymbolDetectsEverySubstitutionAndAdjacentTransposition() throws {
        let alphabet = PaymentCode.alphabet
        var checked = 0
        for serial in stride(from: UInt64(0), to: 1_000_000, by: 9_973) {
            for kind in PaymentCodeKind.allCases {
                let code = Array(try PaymentCode(prefix: "HP", kind: kind, serial: serial).text.utf8)
                for position in 0..<code.count {
                    for symbol in alphabet where symbol != code[position] {
                        var damaged = code
                        damaged[position] = symbol
                        #expect(PaymentCode.isValid(String(decoding: damaged, as: UTF8.self), prefix: "HP") == nil)
                        checked += 1
                    }
                    if position + 1 < code.count && code[position] != code[position + 1] {
                        var swapped = code
                        swapped.swapAt(position, position + 1)
                        #expect(PaymentCode.isValid(String(decoding: swapped, as: UTF8.self), prefix: "HP") == nil)
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 50_000)
    }

    @Test func finderReadsCodesInRealisticMemos() throws {
        let student = try PaymentCode(prefix: "HP", kind: .student, serial: 4711).text
        let invoice = try PaymentCode(prefix: "HP", kind: .invoice, serial: 123_456).text
        let finder = try PaymentCodeFinder(prefix: "HP")
        func found(_ memo: String) -> [String] {
            finder.candidates(inNormalizedMemo: VietnameseText.normalized(memo)).filter(\.isValid).map(\.text)
        }
        #expect(found("MBVCB.3278907687.123456.\(student) NGUYEN VAN AN.CT tu 0011001234567") .contains(student))
        #expect(found("TKThe :0123, tai VCB. \(invoice.lowercased()) hoc phi -CTLNHIDI000008334155500-11-CRE-002").contains(invoice))
        let split = String(invoice.prefix(4)) + "." + String(invoice.dropFirst(4))
        #expect(found("nop hoc phi \(split) con Nguyễn Văn Ân") == [invoice])
        let spaced = String(invoice.prefix(5)) + " " + String(invoice.dropFirst(5))
        #expect(found("\(spaced)") == [invoice])
        #expect(found("hoc phi \(invoice)") == [invoice])
        var damaged = Array(invoice.utf8)
        damaged[4] = damaged[4] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let damagedText = String(decoding: damaged, as: UTF8.self)
        let candidates = finder.candidates(inNormalizedMemo: "HOC PHI \(damagedText) NGUYEN VAN AN")
        #expect(!candidates.contains { $0.isValid && $0.text == damagedText })
        #expect(candidates.contains { !$0.isValid && $0.text == damagedText && $0.isWordAligned && $0.kind == .invoice })
    }
}
