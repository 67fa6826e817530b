import Foundation

/// An error answered in Stripe's shape: `{"error": {type, code, message, param, doc_url, request_log_url}}`.
public struct StripeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status.
    public var status: Int
    /// `invalid_request_error`, `api_error`, `idempotency_error`, ...
    public var type: String
    /// Machine-readable code such as `resource_missing`, or nil.
    public var code: String?
    /// Human message, as Stripe words it.
    public var message: String
    /// The offending parameter, or nil.
    public var param: String?
    /// The value of `Stripe-Should-Retry`, or nil to leave the header unset.
    public var shouldRetry: Bool?

    public init(status: Int, type: String = "invalid_request_error", code: String? = nil, message: String,
                param: String? = nil, shouldRetry: Bool? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.shouldRetry = shouldRetry
    }

    /// The status, type and message, as a person reads them in a failed test.
    public var description: String {
        "\(status) \(type)\(code.map { " (\($0))" } ?? ""): \(message)"
    }

    /// A 400 naming the parameter at fault.
    static func invalid(_ message: String, param: String? = nil, code: String? = "parameter_invalid_string")
        -> StripeAPIError {
        StripeAPIError(status: 400, code: code, message: message, param: param)
    }

    /// A 400 for a required parameter that is absent.
    static func missing(_ param: String) -> StripeAPIError {
        StripeAPIError(status: 400, code: "parameter_missing", message: "Missing required param: \(param).",
                       param: param)
    }

    /// A 404 for an unknown object id.
    static func noSuch(_ kind: String, _ id: String, param: String = "id") -> StripeAPIError {
        StripeAPIError(status: 404, code: "resource_missing", message: "No such \(kind): '\(id)'", param: param)
    }

    /// The JSON body, with the request id in `request_log_url`.
    func body(requestID: String) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("type", .string(type)),
            ("code", .optional(code)),
            ("message", .string(message)),
            ("param", .optional(param)),
        ]
        fields.append(("doc_url", code.map { .string("https://docs.stripe.com/error-codes/\($0.replacingOccurrences(of: "_", with: "-"))") } ?? .null))
        fields.append(("request_log_url", .string("https://dashboard.stripe.com/test/logs/\(requestID)")))
        return .object([("error", .object(fields))])
    }
}
