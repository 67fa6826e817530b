import Foundation

/// One request the simulator received, with the status it answered (0 when the connection was dropped).
public struct RecordedRequest: Sendable {
    /// HTTP method.
    public var method: String
    /// Path without the query string.
    public var path: String
    /// Raw query string ("" when none).
    public var query: String
    /// Request headers, with the `Authorization` value masked.
    public var headers: [(String, String)]
    /// Raw body text.
    public var body: String
    /// Simulator time when received (what Stripe's rules saw; moves only with `clock`).
    public var receivedAt: Date
    /// Wall-clock time when received (for throughput and latency measurements).
    public var arrivedAt: Date
    /// Status answered; 0 for a dropped connection.
    public var status: Int

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The decoded form body (or query for GET).
    public var parameters: FormParameters {
        var parameters = FormParameters(encoded: query)
        parameters.append(FormParameters(encoded: body))
        return parameters
    }
}
