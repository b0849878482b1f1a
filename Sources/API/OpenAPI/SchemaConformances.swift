import Billing
import Core
import Ledger
import Payments

extension CalendarDate: SchemaDescribing {
    public static var jsonSchema: JSONSchema { APIParameterSchemas.date }
}

extension CalendarMonth: SchemaDescribing {
    public static var jsonSchema: JSONSchema { APIParameterSchemas.month }
}

/// A string enumeration states its cases: a body naming another value is refused when it is decoded, so the
/// document must not allow it.
protocol SchemaEnumeration: SchemaDescribing, CaseIterable, RawRepresentable where RawValue == String {}

extension SchemaEnumeration {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}

extension SchoolOwnership: SchemaEnumeration {}
extension AreaClass: SchemaEnumeration {}
extension FeeKind: SchemaEnumeration {}
extension RateUnit: SchemaEnumeration {}
extension ReceiptMethod: SchemaEnumeration {}
extension InvoiceStatus: SchemaEnumeration {}
extension CatalogueItemKind: SchemaEnumeration {}
extension CatalogueUnit: SchemaEnumeration {}
extension PaymentCodeKind: SchemaEnumeration {}
extension EntryKind: SchemaEnumeration {}
extension Dimension: SchemaEnumeration {}
extension SuspenseDispositionKind: SchemaEnumeration {}
extension CollectionException: SchemaEnumeration {}

/// An amount is an integer of đồng within ±`Money.absoluteDongMax`: `Money`'s decoder refuses any other.
extension Money: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .integerRange(-Money.absoluteDongMax...Money.absoluteDongMax) }
}

extension SchoolLevel: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}

extension Role: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}

extension AccountType: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}

extension AccountPurpose: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}

extension AuthorityKind: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}
