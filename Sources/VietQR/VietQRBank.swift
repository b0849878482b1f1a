/// A bank on the NAPAS 247 network and its BIN, the 6-digit number a VietQR code names the bank by.
public struct VietQRBank: Hashable, Sendable, Codable {
    public let name: String
    public let bin: String

    public init(name: String, bin: String) {
        self.name = name
        self.bin = bin
    }

    /// The banks schools in this system use (docs/domain.md §3). Other BINs are valid in payloads too;
    /// this table only gives them names.
    public static let known: [VietQRBank] = [
        VietQRBank(name: "Vietcombank", bin: "970436"),
        VietQRBank(name: "VietinBank", bin: "970415"),
        VietQRBank(name: "BIDV", bin: "970418"),
        VietQRBank(name: "Agribank", bin: "970405"),
        VietQRBank(name: "MB", bin: "970422"),
        VietQRBank(name: "Techcombank", bin: "970407"),
        VietQRBank(name: "ACB", bin: "970416"),
        VietQRBank(name: "VPBank", bin: "970432"),
        VietQRBank(name: "TPBank", bin: "970423"),
        VietQRBank(name: "Sacombank", bin: "970403"),
        VietQRBank(name: "HDBank", bin: "970437"),
        VietQRBank(name: "SHB", bin: "970443"),
        VietQRBank(name: "VIB", bin: "970441"),
        VietQRBank(name: "MSB", bin: "970426"),
        VietQRBank(name: "OCB", bin: "970448"),
        VietQRBank(name: "Eximbank", bin: "970431"),
        VietQRBank(name: "SeABank", bin: "970440"),
        VietQRBank(name: "LPBank", bin: "970449"),
    ]

    /// The known bank with this BIN.
    public static func bank(bin: String) -> VietQRBank? {
        known.first { $0.bin == bin }
    }

    /// The name documents and reports print for a BIN: the bank's, or the BIN itself when unknown.
    @Sendable public static func displayName(bin: String) -> String {
        bank(bin: bin)?.name ?? "Ngân hàng (BIN \(bin))"
    }

    /// The known bank with this name, compared without regard to case ("vietinbank" finds VietinBank).
    public static func bank(named name: String) -> VietQRBank? {
        let wanted = name.lowercased()
        return known.first { $0.name.lowercased() == wanted }
    }
}
