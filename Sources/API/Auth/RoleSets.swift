import Core

/// Who may call which kind of route: the only place the API groups roles. Routes name one of these sets;
/// a new group of callers is added here, so "who may do what" is read in one file.
public enum RoleSets {
    /// Keep a school's books: billing writes, statement imports, suspense decisions, reconciliation runs.
    public static let bookkeepers: Set<Role> = [.admin, .financeOffice, .accountant]
    /// Read a school's books: the bookkeepers and the authority that manages the school.
    public static let schoolReaders: Set<Role> = bookkeepers.union([.authorityOffice])
    /// Read across schools (province reports, KPIs): no school accountant, whose token is one school's.
    public static let provinceReaders: Set<Role> = [.admin, .financeOffice, .authorityOffice]
    /// Read the open data feed: aggregated figures only.
    public static let feedReaders: Set<Role> = [.feed, .admin, .financeOffice]
    /// Operate the service (metrics).
    public static let operators: Set<Role> = [.admin, .financeOffice]
    /// Create schools and tokens.
    public static let administrators: Set<Role> = [.admin]
}
