import Core
import Ledger

extension CalendarDate: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(format: "date") }
}

extension CalendarMonth: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(format: "yyyy-mm") }
}

extension Money: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .integer }
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
