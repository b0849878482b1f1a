// swift-tools-version:6.0
// tuition: a tuition ledger and payment reconciliation service.
// No package dependencies: only the toolchain, libpq and OpenSSL.
import PackageDescription

let package = Package(
    name: "tuition",
    products: [
        .executable(name: "tuition", targets: ["tuition"]),
    ],
    targets: [
        // System libraries, through pkg-config on Debian.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Process spawning that closes inherited descriptors (a glibc extension Swift cannot import).
        .target(name: "CSystem"),

        // Pure modules: no database, no network.
        // Days since 1970-01-01 ↔ Gregorian dates: the one calendar routine, below Core, Postgres and HTTP.
        .target(name: "CivilCalendar"),
        .target(name: "Core", dependencies: ["CivilCalendar"]),
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "VietQR", dependencies: ["Core"]),
        .target(name: "BankFormats", dependencies: ["Core", "Crypto"]),
        .target(name: "Reconciliation", dependencies: ["Core"]),
        // Seeded synthetic data (province, rosters, realistic transfers) for the demo, benches and tests.
        .target(name: "Simulation", dependencies: ["Core", "Reconciliation"]),

        // Infrastructure.
        .target(name: "Postgres", dependencies: ["CLibPQ", "CSystem", "CivilCalendar"]),
        .target(name: "HTTP", dependencies: ["CSystem", "COpenSSL", "Crypto", "CivilCalendar"]),

        // The system of record and the services on it.
        .target(name: "Ledger", dependencies: ["Core", "Crypto", "Postgres"]),
        .target(name: "Billing", dependencies: ["Core", "Postgres", "Ledger", "VietQR"]),
        .target(name: "Payments", dependencies: ["Core", "Crypto", "Postgres", "Ledger", "Billing", "BankFormats", "Reconciliation"]),
        .target(name: "API", dependencies: ["Core", "Crypto", "Postgres", "HTTP", "Ledger", "Billing", "Payments", "Reconciliation", "VietQR", "BankFormats"]),
        .executableTarget(name: "tuition", dependencies: ["Core", "Crypto", "Postgres", "HTTP", "Ledger", "Billing", "Payments", "Reconciliation", "BankFormats", "VietQR", "API", "Simulation"]),

        // Test support: a throwaway embedded PostgreSQL cluster per test process.
        .target(name: "TestSupport", dependencies: ["Postgres"], path: "Tests/TestSupport"),
        // A school with students, fees and invoices, for the tests of the services built on Billing.
        .target(name: "SchoolFixtures", dependencies: ["TestSupport", "Billing", "Ledger", "Postgres", "Core"], path: "Tests/SchoolFixtures"),

        .testTarget(name: "CoreTests", dependencies: ["Core", "CivilCalendar", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "VietQRTests", dependencies: ["VietQR", "Core", "TestSupport"]),
        .testTarget(name: "BankFormatsTests", dependencies: ["BankFormats", "Core", "TestSupport"]),
        .testTarget(name: "ReconciliationTests", dependencies: ["Reconciliation", "Simulation", "Core", "TestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "Core", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Core", "Postgres", "TestSupport"]),
        .testTarget(name: "BillingTests", dependencies: ["Billing", "Ledger", "Core", "Postgres", "VietQR", "TestSupport", "SchoolFixtures"]),
        .testTarget(name: "PaymentsTests", dependencies: ["Payments", "Billing", "Ledger", "Core", "Postgres", "BankFormats", "Crypto", "Reconciliation", "TestSupport", "SchoolFixtures"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Payments", "Billing", "Ledger", "Core", "Postgres", "Crypto", "BankFormats", "TestSupport", "SchoolFixtures"]),
        .testTarget(name: "CLITests", dependencies: ["tuition", "TestSupport", "Postgres"]),
    ],
    swiftLanguageModes: [.v6]
)
