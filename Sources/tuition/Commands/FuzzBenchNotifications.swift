import BankFormats
import Core

/// The provisional-money readers as fuzz targets: `camt054` (camt.054 credit notifications, versions .02
/// and .08) and `mt942` (MT942 interim reports, bare and in SWIFT envelopes). Each input is read with
/// its format given, so the mutation reaches that reader and not the format detector's choice.
enum FuzzBenchNotifications {
    static let targets = ["camt054", "mt942"]

    static func format(_ target: String) -> StatementFormat {
        target == "camt054" ? .camt054 : .mt942
    }

    static func corpus(_ target: String) -> [[UInt8]] {
        (target == "camt054" ? camt054Corpus : mt942Corpus).map { Array($0.utf8) }
    }

    static func entry(_ amount: String, _ indicator: String, status: String, reference: String, creditor: String) -> String {
        """
              <n:Ntry>
                <n:Amt Ccy="VND">\(amount)</n:Amt><n:CdtDbtInd>\(indicator)</n:CdtDbtInd>\(status)
                <n:BookgDt><n:Dt>2026-09-16</n:Dt></n:BookgDt><n:ValDt><n:DtTm>2026-09-16T10:15:00+07:00</n:DtTm></n:ValDt>
                <n:AcctSvcrRef>\(reference)</n:AcctSvcrRef>
                <n:NtryDtls><n:TxDtls>
                  <n:Refs><n:EndToEndId>E2E-\(reference)</n:EndToEndId></n:Refs>
                  <n:RltdPties><n:Dbtr><n:Nm>Nguyễn Văn An &amp; Co</n:Nm></n:Dbtr>
                    <n:DbtrAcct><n:Id><n:Othr><n:Id>0123</n:Id></n:Othr></n:Id></n:DbtrAcct>
                    <n:CdtrAcct><n:Id><n:Othr><n:Id>\(creditor)</n:Id></n:Othr></n:Id></n:CdtrAcct></n:RltdPties>
                  <n:RmtInf><n:Ustrd>HOC PHI HP7K2Q9X LOP 6A1</n:Ustrd>
                    <n:Strd><n:CdtrRefInf><n:Ref>HP7K2Q9X</n:Ref></n:CdtrRefInf></n:Strd></n:RmtInf>
                </n:TxDtls></n:NtryDtls>
              </n:Ntry>
        """
    }

    static func notification(version: String, entries: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a notification as a bank's channel sends it -->
        <n:Document xmlns:n="urn:iso:std:iso:20022:tech:xsd:camt.054.001.\(version)">
          <n:BkToCstmrDbtCdtNtfctn>
            <n:GrpHdr><n:MsgId>N1</n:MsgId><n:CreDtTm>2026-09-16T10:16:00</n:CreDtTm></n:GrpHdr>
            <n:Ntfctn>
              <n:Id>NTF-1</n:Id>
              <n:Acct><n:Id><n:Othr><n:Id>0011001234567</n:Id></n:Othr></n:Id><n:Ccy>VND</n:Ccy></n:Acct>
        \(entries)
            </n:Ntfctn>
          </n:BkToCstmrDbtCdtNtfctn>
        </n:Document>
        """
    }

    static let camt054Corpus: [String] = [
        notification(version: "02", entries: entry("1500000", "CRDT", status: "<n:Sts>BOOK</n:Sts>", reference: "VCB-77", creditor: "V2MSHS003")
            + entry("250000.00", "DBIT", status: "<n:Sts>PDNG</n:Sts>", reference: "VCB-78", creditor: "0011001234567")),
        notification(version: "08", entries: entry("2500000", "CRDT", status: "<n:Sts><n:Cd>BOOK</n:Cd></n:Sts>", reference: "BIDV-1",
                                                   creditor: "V2MSHS004")),
        notification(version: "08", entries: ""),
    ]

    static let mt942Body = ":20:I1\n:25:0011001234567\n:28C:1/1\n:34F:VNDD0,\n:34F:VNDC100000,\n:13D:2609161200+0700\n"
        + ":61:2609160916C500000,00NTRFNONREF//R1\n:86:HOC PHI HP7K2Q9X LOP 6A1\n"
        + ":61:260916D25000,NTRFREF-2//R2\n/ABC/long supplementary details\n:86:?20PHI DICH VU?32NGUYEN VAN AN\n"
        + ":90D:1VND25000,00\n:90C:1VND500000,00\n"

    static let mt942Corpus: [String] = [
        mt942Body,
        "{1:F01BIDVVNVXAXXX0000000000}{2:O9421200260916BIDVVNVXAXXX00000000002609161200N}{4:\n" + mt942Body + "-}{5:{CHK:123456789ABC}}\n",
        "ABNANL2A\n942\n" + mt942Body + "-\n" + mt942Body.replacingOccurrences(of: ":20:I1", with: ":20:I2"),
    ]
}
