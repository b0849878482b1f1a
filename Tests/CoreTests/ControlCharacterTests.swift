import Core
import Testing

@Suite struct ControlCharacterTests {
    /// The range test answers as Unicode's property table does, for every scalar.
    @Test func everyScalarAgreesWithTheGeneralCategory() {
        var disagreements: [UInt32] = []
        var controls = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected = scalar.properties.generalCategory == .control
            if expected { controls += 1 }
            if scalar.isControlCharacter != expected { disagreements.append(value) }
        }
        #expect(disagreements.isEmpty)
        #expect(controls == 65)
    }
}

@Suite struct WhiteSpaceTests {
    /// The range test answers as Unicode's White_Space property does, for every scalar.
    @Test func everyScalarAgreesWithTheProperty() {
        var disagreements: [UInt32] = []
        var spaces = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected = scalar.properties.isWhitespace
            if expected { spaces += 1 }
            if scalar.isWhiteSpace != expected { disagreements.append(value) }
        }
        #expect(disagreements.isEmpty)
        #expect(spaces == 25)
    }
}
