import Foundation

/// Stripe-style form parameters (`payload[value]=3`, `types[]=a`), kept flat under their bracketed names.
public struct FormParameters: Sendable, Equatable {
    /// Every (name, value) pair in the order received.
    public private(set) var pairs: [(String, String)]

    public static func == (lhs: FormParameters, rhs: FormParameters) -> Bool {
        lhs.canonical == rhs.canonical
    }

    public init(pairs: [(String, String)] = []) { self.pairs = pairs }

    /// Decodes `application/x-www-form-urlencoded` text (also used for query strings).
    public init(encoded: String) {
        pairs = encoded.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(String(pieces[0])), pieces.count > 1 ? Self.decode(String(pieces[1])) : "")
        }
    }

    /// Merges another set of parameters after these.
    mutating func append(_ other: FormParameters) { pairs += other.pairs }

    /// The first value named `name`.
    public subscript(name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    /// Every value named `name` (for `types[]`, `expand[]`).
    public func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    /// Values under a bracketed prefix: `entries(under: "metadata")` gives `metadata[k]=v` as `k: v`.
    public func entries(under prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        let opening = prefix + "["
        for (name, value) in pairs where name.hasPrefix(opening) && name.hasSuffix("]") {
            let key = name.dropFirst(opening.count).dropLast()
            if !key.contains("[") { result[String(key)] = value }
        }
        return result
    }

    /// A stable text form used to compare the parameters of two requests with the same idempotency key.
    var canonical: String {
        pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
