import Core

/// The demo's wards, one per simulated district. The names are wards of Thái Nguyên after the 2025 merger
/// (Resolution 1683/NQ-UBTVQH15 of 16 June 2025: 92 communes and wards); their 5-digit codes here are
/// illustrative, not the official administrative codes.
enum DemoCommunes {
    static let wards = [
        Commune(code: "05500", name: "Phường Phan Đình Phùng"),
        Commune(code: "05600", name: "Phường Tích Lương"),
    ]

    /// The ward of the simulated district `districtID` (1-based), cycling through `wards`.
    static func ward(ofDistrict districtID: Int) -> Commune {
        wards[(districtID - 1) % wards.count]
    }
}
