import Foundation

/// A parameter value in Stripe's form encoding: a scalar, a nested dictionary or a list.
public enum FormValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    /// Encoded with brackets: `payload[value]=3`, `created[gte]=1`.
    case dictionary([String: FormValue])
    /// Scalars encode as `expand[]=a&expand[]=b`; dictionaries as `items[0][price]=x`, the indexed form
    /// Stripe needs to keep each element's fields together.
    case list([FormValue])
}

extension FormValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(arrayLiteral elements: FormValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, FormValue)...) {
        self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension FormValue {
    /// A Unix timestamp in whole seconds, as Stripe expects for `created`, `start_time` and friends.
    public static func timestamp(_ date: Date) -> FormValue {
        .integer(Int64(date.timeIntervalSince1970.rounded(.down)))
    }
}
