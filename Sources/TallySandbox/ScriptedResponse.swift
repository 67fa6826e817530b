/// A canned answer for the next request matching `method` and a path prefix, served once.
public struct ScriptedResponse: Sendable {
    /// HTTP method to match, e.g. "POST".
    public var method: String
    /// Path prefix to match, e.g. "/v1/billing/meter_events".
    public var pathPrefix: String
    /// Status to answer.
    public var status: Int
    /// Headers to answer (a `Request-Id` is added when absent).
    public var headers: [(String, String)]
    /// Body to answer, verbatim.
    public var body: String

    public init(method: String, pathPrefix: String, status: Int, headers: [(String, String)] = [], body: String) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.status = status
        self.headers = headers
        self.body = body
    }

    func matches(method: String, path: String) -> Bool {
        self.method.uppercased() == method.uppercased() && path.hasPrefix(pathPrefix)
    }
}
