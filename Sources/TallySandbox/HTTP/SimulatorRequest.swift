import Foundation

/// A parsed HTTP request as the routes see it.
struct SimulatorRequest: Sendable {
    var method: String
    var path: String
    var query: String
    var headers: [(String, String)]
    var body: String
    var requestID: String
    var remoteIsLoopback: Bool
    /// Simulator time on arrival.
    var receivedAt: Date
    /// Wall-clock time on arrival.
    var arrivedAt: Date

    /// Query parameters, then form body parameters.
    var parameters: FormParameters {
        var parameters = FormParameters(encoded: query)
        if method != "GET" { parameters.append(FormParameters(encoded: body)) }
        return parameters
    }

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Path segments after the leading slash, e.g. ["v1", "customers", "cus_1"].
    var segments: [String] { path.split(separator: "/").map(String.init) }
}

/// An HTTP response before it is written.
struct SimulatorResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: String

    /// A JSON response carrying the request id (and `Stripe-Should-Retry` when an error sets it).
    static func json(_ value: JSONValue, status: Int = 200, requestID: String) -> SimulatorResponse {
        SimulatorResponse(status: status, headers: [("Content-Type", "application/json"), ("Request-Id", requestID)],
                          body: value.serialized())
    }

    /// A Stripe error response.
    static func error(_ error: StripeAPIError, requestID: String) -> SimulatorResponse {
        var response = json(error.body(requestID: requestID), status: error.status, requestID: requestID)
        if let retry = error.shouldRetry { response.headers.append(("Stripe-Should-Retry", retry ? "true" : "false")) }
        return response
    }
}
