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
