extension Unicode.Scalar {
    /// True for the control characters (general category Cc): U+0000–U+001F and U+007F–U+009F.
    ///
    /// The same answer as `properties.generalCategory == .control` (Unicode's stability policy fixes
    /// the Cc set forever; `ControlCharacterTests` compares every scalar), without the property
    /// table lookup per character that showed in the server's profile for every text a callback writes.
    public var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}

extension Unicode.Scalar {
    /// True for Unicode's White_Space scalars: U+0009–U+000D, U+0020, U+0085, U+00A0, U+1680,
    /// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
    ///
    /// The same answer as `properties.isWhitespace` (`ControlCharacterTests` compares every scalar), by
    /// range instead of the property table look-up per scalar, which showed in the server's profile for
    /// every name a payment writes (the payer's name of each receipt is collapsed scalar by scalar).
    public var isWhiteSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x20: return true
        case 0..<0x80: return false
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
