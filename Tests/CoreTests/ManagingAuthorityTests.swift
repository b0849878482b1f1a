import Core
import Testing

/// The two-tier rule of 1 July 2025: who manages a school of each level.
@Suite struct ManagingAuthorityTests {
    let ward = Commune(code: "05500", name: "Phường Phan Đình Phùng")

    @Test func theDepartmentManagesUpperSecondaryAndContinuingTheCommuneTheRest() {
        for level in SchoolLevel.allCases {
            let authority = Authority.managing(level: level, commune: ward)
            if level == .upperSecondary || level == .continuing {
                #expect(authority == .department, "\(level)")
            } else {
                #expect(authority == Authority(code: "UBND-05500", kind: .commune, name: "UBND Phường Phan Đình Phùng"), "\(level)")
            }
        }
    }

    @Test func generalEducationIsPrimaryAndSecondaryOnly() {
        #expect(SchoolLevel.allCases.filter(\.isGeneralEducation) == [.primary, .lowerSecondary, .upperSecondary])
    }

    @Test func aCommuneNeedsFiveDigitsAndAName() {
        #expect(ward.problem == nil)
        #expect(Commune(code: "5500", name: "Xã A").problem?.field == "communeCode")
        #expect(Commune(code: "0550A", name: "Xã A").problem?.field == "communeCode")
        #expect(Commune(code: "٠٥٥٠٠", name: "Xã A").problem?.field == "communeCode") // Arabic-Indic digits are not ASCII digits
        #expect(Commune(code: "05500", name: "").problem?.field == "communeName")
        #expect(Commune(code: "05500", name: String(repeating: "x", count: 101)).problem?.field == "communeName")
    }
}
