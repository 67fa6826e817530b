import Foundation

/// Everything Tally asks of Stripe, through one generic entry; typed calls live in extensions.
///
/// `StripeClient` is the live implementation; tests and the demo use the simulator behind it or an
/// in-memory fake.
public protocol StripeAPI: Sendable {
    /// Sends one logical request (retried, rate-limited and logged by the live client).
    func send(_ request: StripeRequest) async throws -> StripeResponse
}

/// One logical Stripe request: a method, a path under the API base and its parameters.
public struct StripeRequest: Sendable {
    public var method: HTTPRequestMethod
    /// The path with ids, e.g. `/v1/billing/meters/mtr_1`; parameters go in `parameters`, never here.
    public var path: String
    /// Form-encoded into the query string for GET and DELETE, into the body for POST.
    public var parameters: [String: FormValue]
    /// For POST: a key stable for this piece of work, so a retry (even a later run's) is deduplicated.
    /// When nil, the client makes a random one that stays the same across this request's retries.
    public var idempotencyKey: String?
    /// For a POST whose body deduplicates itself (a meter event's `identifier`): each retry after a failed
    /// attempt goes out under `<key>.<attempt>`, since Stripe stores a 500 under its key and replays it.
    public var newKeyPerAttempt: Bool

    public init(method: HTTPRequestMethod, path: String, parameters: [String: FormValue] = [:], idempotencyKey: String? = nil,
                newKeyPerAttempt: Bool = false) {
        self.method = method
        self.path = path
        self.parameters = parameters
        self.idempotencyKey = idempotencyKey
        self.newKeyPerAttempt = newKeyPerAttempt
    }

    /// The Idempotency-Key of attempt `attempt` (1-based) of this request within one call.
    public func idempotencyKey(attempt: Int) -> String? {
        guard newKeyPerAttempt, attempt > 1, let idempotencyKey else { return idempotencyKey }
        return "\(idempotencyKey).\(attempt)"
    }

    /// A GET request.
    public static func get(_ path: String, _ parameters: [String: FormValue] = [:]) -> StripeRequest {
        StripeRequest(method: .get, path: path, parameters: parameters)
    }

    /// A POST request.
    public static func post(_ path: String, _ parameters: [String: FormValue], idempotencyKey: String? = nil) -> StripeRequest {
        StripeRequest(method: .post, path: path, parameters: parameters, idempotencyKey: idempotencyKey)
    }

    /// `GET /v1/x` with query string and body dropped: what logs and errors show.
    public var endpoint: String { "\(method.rawValue) \(sanitizedPath)" }

    /// The path without any query string.
    public var sanitizedPath: String {
        String(path.prefix { $0 != "?" && $0 != "#" })
    }
}

/// A successful (2xx) Stripe response.
public struct StripeResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaderFields
    public var body: Data
    /// `GET /v1/x`, for error messages.
    public var endpoint: String

    public init(status: Int, headers: HTTPHeaderFields, body: Data, endpoint: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.endpoint = endpoint
    }

    /// Stripe's `Request-Id`.
    public var requestID: String? { headers["Request-Id"] }
    /// Whether Stripe replayed a stored response for this Idempotency-Key.
    public var idempotentReplayed: Bool { headers["Idempotent-Replayed"]?.lowercased() == "true" }

    /// The body decoded as `type`; a mismatch is a `StripeError` with code `decoding` (exit 65).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try StripeDecoding.decoder().decode(T.self, from: body)
        } catch {
            throw StripeError.decoding(error, endpoint: endpoint, requestID: requestID, type: String(describing: T.self))
        }
    }
}

/// Helpers for building paths from ids.
enum StripePath {
    /// An id as one path segment, percent-encoded in case it holds anything unusual.
    static func segment(_ id: String) -> String { FormEncoder.percentEncode(id) }
}
