import HTTP
import Testing

@Suite struct LogRedactionTests {
    @Test func masksAccountNumbersAndTokens() {
        #expect(LogRedaction.mask("Key (account_number)=(0011001234567) already exists") == "Key (account_number)=(*********4567) already exists")
        #expect(LogRedaction.mask("card 4111111111111111 declined") == "card ************1111 declined")
        #expect(LogRedaction.mask("token tt_nUF0QyVMpGHv_LyQ1TF03qxrH6lwy_7dU1EogxLzAlg revoked") == "token tt_[redacted] revoked")
        // Short numbers (amounts, ids, years, request ids mixed with letters) stay readable.
        #expect(LogRedaction.mask("invoice 2026/000123 of 1500000 dong, request 01a2264f85d0") == "invoice 2026/000123 of 1500000 dong, request 01a2264f85d0")
        #expect(LogRedaction.mask("Trường THCS Ba Đình 12345678") == "Trường THCS Ba Đình 12345678")
    }
}
