/// A finished QR Code symbol: a square of dark and light modules, without the quiet zone.
public struct QRCodeMatrix: Hashable, Sendable {
    /// Version 1–10; the symbol is 17 + 4·version modules wide.
    public let version: Int
    /// The data mask pattern used, 0–7.
    public let mask: Int
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` for dark.
    let modules: [Bool]

    init(version: Int, mask: Int, modules: [Bool]) {
        let size = 17 + 4 * version
        precondition(modules.count == size * size)
        self.version = version
        self.mask = mask
        self.size = size
        self.modules = modules
    }

    /// Whether the module at `row`, `column` (0-based, from the top left) is dark.
    public subscript(row: Int, column: Int) -> Bool {
        precondition(row >= 0 && row < size && column >= 0 && column < size, "module outside the symbol")
        return modules[row * size + column]
    }
}
