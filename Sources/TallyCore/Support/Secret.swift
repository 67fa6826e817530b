/// A secret value (an API key, a password) that never prints itself.
///
/// `description`, `debugDescription` and string interpolation all show `<redacted>`; only `revealed`
/// gives the value, and only the code that sends it over the wire calls that.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The value itself, for the one place that must send it.
    public var revealed: String { value }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
