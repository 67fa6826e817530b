import Foundation

/// Sends one HTTP request and returns its response; the seam between the Stripe client and the network.
public protocol HTTPTransport: Sendable {
    /// Performs `request`. Throws `HTTPTransportError` when no response arrived, `CancellationError` when the
    /// awaiting task was cancelled.
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// The HTTP methods Tally uses.
public enum HTTPRequestMethod: String, Sendable, Hashable {
    case get = "GET"
    case post = "POST"
    case delete = "DELETE"
}

/// One outgoing HTTP request.
public struct HTTPRequest: Sendable {
    public var method: HTTPRequestMethod
    /// The absolute URL, query string included.
    public var url: String
    public var headers: HTTPHeaderFields
    public var body: Data?
    /// How long to wait for the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// How long the whole exchange may take, connection included.
    public var totalTimeout: Duration

    public init(
        method: HTTPRequestMethod,
        url: String,
        headers: HTTPHeaderFields = HTTPHeaderFields(),
        body: Data? = nil,
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(60)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaderFields
    public var body: Data

    public init(status: Int, headers: HTTPHeaderFields = HTTPHeaderFields(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible {
    /// Method, URL without its query string, header names with credentials redacted, and the body's size
    /// only: a request printed into a log never shows a key or a body.
    public var description: String {
        let path = url.prefix { $0 != "?" }
        return "\(method.rawValue) \(path) headers: \(headers) body: \(body?.count ?? 0) bytes"
    }

    public var debugDescription: String { description }
}
