import Foundation
import Testing
@testable import BankFormats

@Suite struct CallbackCatalogTests {
    @Test func loadsEveryProviderOfTheRepository() {
        #expect(CallbackFixtures.catalog.providers == ["casso", "momo", "payos", "sepay", "sepay-hmac", "tuition", "vnpay"])
    }
}
