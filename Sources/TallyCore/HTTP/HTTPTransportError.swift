/// Why an HTTP exchange produced no response.
///
/// The message comes from the transport (curl's error text), never from the request: it holds no header,
/// body or key.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The broad class of failure, which decides retry and exit status.
    public enum Kind: String, Sendable {
        /// The connect or total timeout passed.
        case timeout
        /// No connection could be made (refused, unreachable, name not resolved).
        case connectFailed = "connect_failed"
        /// The TLS handshake or certificate verification failed.
        case tls
        /// Anything else: the connection dropped, an empty reply, a protocol error.
        case other
        /// The response body passed the transport's cap; the transfer was stopped there.
        case responseTooLarge = "response_too_large"
    }

    public var kind: Kind
    /// The transport's own description, e.g. `Connection refused`.
    public var message: String
    /// The transport's numeric code (a `CURLcode`), for the log.
    public var code: Int

    public init(kind: Kind, message: String, code: Int) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { "\(kind.rawValue): \(message) (code \(code))" }
}
