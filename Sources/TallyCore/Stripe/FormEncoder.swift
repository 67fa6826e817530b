/// Encodes parameters as `application/x-www-form-urlencoded` with Stripe's bracket syntax.
///
/// Keys are sorted so the same parameters always give the same bytes (stable logs, stable idempotent
/// replays); list order is kept.
public enum FormEncoder {
    /// The encoded string, e.g. `created%5Bgte%5D=1&expand%5B%5D=a`.
    public static func encode(_ parameters: [String: FormValue]) -> String {
        pairs(parameters)
            .map { "\(percentEncode($0.key))=\(percentEncode($0.value))" }
            .joined(separator: "&")
    }

    /// The flattened `(key, value)` pairs before percent-encoding, e.g. `("payload[value]", "3")`.
    public static func pairs(_ parameters: [String: FormValue]) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        for key in parameters.keys.sorted() {
            flatten(parameters[key]!, key: key, into: &result)
        }
        return result
    }

    private static func flatten(_ value: FormValue, key: String, into result: inout [(key: String, value: String)]) {
        switch value {
        case .string(let string):
            result.append((key, string))
        case .integer(let integer):
            result.append((key, String(integer)))
        case .boolean(let boolean):
            result.append((key, boolean ? "true" : "false"))
        case .dictionary(let dictionary):
            for name in dictionary.keys.sorted() {
                flatten(dictionary[name]!, key: "\(key)[\(name)]", into: &result)
            }
        case .list(let elements):
            let indexed = elements.contains { element in
                if case .dictionary = element { return true }
                if case .list = element { return true }
                return false
            }
            for (index, element) in elements.enumerated() {
                flatten(element, key: indexed ? "\(key)[\(index)]" : "\(key)[]", into: &result)
            }
        }
    }

    /// Percent-encodes everything but the unreserved characters (RFC 3986), spaces as `%20`.
    public static func percentEncode(_ string: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
