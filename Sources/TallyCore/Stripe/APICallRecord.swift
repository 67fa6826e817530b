import Foundation

/// Keeps the sanitized log of every Stripe call (`tally_api_calls`).
public protocol APICallRecorder: Sendable {
    func record(_ calls: [APICallRecord]) async throws
}

/// One Stripe call as logged: never a secret, never a query string or body.
public struct APICallRecord: Sendable, Equatable {
    public var startedAt: Date
    public var method: String
    /// The path with ids kept but query string, bodies and keys dropped, e.g. `/v1/billing/meters/mtr_1/event_summaries`.
    public var path: String
    /// HTTP status, or 0 when no response arrived (network error, timeout).
    public var status: Int
    public var latencyMilliseconds: Double
    public var requestID: String?
    public var rateLimited: Bool
    /// Stripe's error type/code or the transport error, when the call failed.
    public var errorCode: String?
    /// Which attempt of one logical request this was, starting at 1.
    public var attempt: Int
    /// The job run that made the call, when known.
    public var runID: Int64?

    public init(startedAt: Date, method: String, path: String, status: Int, latencyMilliseconds: Double, requestID: String?, rateLimited: Bool, errorCode: String?, attempt: Int, runID: Int64?) {
        self.startedAt = startedAt
        self.method = method
        self.path = path
        self.status = status
        self.latencyMilliseconds = latencyMilliseconds
        self.requestID = requestID
        self.rateLimited = rateLimited
        self.errorCode = errorCode
        self.attempt = attempt
        self.runID = runID
    }
}
