import Foundation

/// Why a Stripe call failed, with the exit status a job ends with and a message saying what to do.
///
/// Messages carry the endpoint, HTTP status, Stripe's own error and its Request-Id; never the API key, the
/// Authorization header or a request body (Stripe's own text is passed through `SecretRedactor`).
public struct StripeError: TallyFailure, Equatable {
    /// The failure class; each maps to one exit status.
    public enum Code: String, Sendable {
        /// 400/404 and other 4xx Stripe will not accept as sent (65).
        case invalidRequest = "invalid_request"
        /// 401: the key was rejected (78).
        case authentication
        /// 403: a restricted key lacks a permission (78).
        case permission
        /// 429 still after every retry (75).
        case rateLimited = "rate_limited"
        /// 409 or 5xx still after every retry (75).
        case server
        /// No response within the timeout (75).
        case timeout
        /// A dropped connection or a garbled exchange (75); no connection at all (69, see `stripeNotReached`).
        case network
        /// Too many consecutive failed calls: the client stopped calling Stripe (69).
        case circuitOpen = "circuit_open"
        /// A response Tally could not read (65).
        case decoding
        /// Stripe (or something between) behaves in a way no retry mends: a list that repeats its cursor or
        /// never ends, a response larger than any Stripe sends (69, like an unavailable service).
        case misbehaving
    }

    public var code: Code
    /// `GET /v1/billing/meters/mtr_1`: method and sanitized path.
    public var endpoint: String
    /// The HTTP status, or nil when no response arrived.
    public var httpStatus: Int?
    /// Stripe's `Request-Id`, to quote to Stripe support.
    public var requestID: String?
    /// Stripe's decoded error, when the body held one.
    public var stripeError: StripeErrorBody.Detail?
    /// The full sentence a person reads.
    public var message: String
    /// Stripe was never reached: no connection could be made (the host does not resolve, refuses, or fails
    /// TLS), or what answered is not Stripe's API. A wrong STRIPE_API_BASE or a blocked network, which the
    /// next run will not fix by itself, so exit 69 and not 75, which on-call is told to ignore.
    public var stripeNotReached: Bool

    public init(code: Code, endpoint: String, httpStatus: Int? = nil, requestID: String? = nil,
                stripeError: StripeErrorBody.Detail? = nil, message: String, stripeNotReached: Bool = false) {
        self.code = code
        self.endpoint = endpoint
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.stripeError = stripeError
        self.message = message
        self.stripeNotReached = stripeNotReached
    }

    public var exitStatus: ExitStatus {
        if stripeNotReached { return .unavailable }
        return switch code {
        case .invalidRequest, .decoding: .dataError
        case .authentication, .permission: .configuration
        case .rateLimited, .server, .timeout, .network: .temporaryFailure
        case .circuitOpen, .misbehaving: .unavailable
        }
    }

    public var description: String { message }

    /// Whether this failure says Stripe is (for now) unreachable or overloaded, which the circuit breaker counts.
    var countsAsUnavailable: Bool {
        switch code {
        case .rateLimited, .server, .timeout, .network: true
        default: false
        }
    }
}

extension StripeError {
    /// The error for a non-2xx response Tally will not (or can no longer) retry. `apiBase` is named when
    /// the answer shows that it is not Stripe's API at all.
    static func response(status: Int, endpoint: String, requestID: String?, detail: StripeErrorBody.Detail?,
                         attempts: Int, apiBase: String) -> StripeError {
        // A 4xx without Stripe's error body, or Stripe's own "Unrecognized request URL": the base URL names
        // another server or carries a path, which no retry and no data fix will mend.
        let unrecognizedURL = detail?.message?.hasPrefix("Unrecognized request URL") == true
        if (400..<500).contains(status), ![401, 403, 409, 429].contains(status), detail == nil || unrecognizedURL {
            let answer = unrecognizedURL ? "\"Unrecognized request URL\"" : "no Stripe error in the body"
            return StripeError(code: .invalidRequest, endpoint: endpoint, httpStatus: status, requestID: requestID,
                               stripeError: detail,
                               message: "STRIPE_API_BASE=\(displayed(apiBase)) answered \(endpoint) with \(status) and \(answer), "
                                   + "so it is not Stripe's API (a wrong host, port or path). Set STRIPE_API_BASE to "
                                   + "https://api.stripe.com, or to the running tally-sandbox's URL (http://127.0.0.1:PORT).",
                               stripeNotReached: true)
        }
        let stripeSays = detail.map { detail in
            var text = detail.type
            if let code = detail.code { text += "/\(code)" }
            if let message = detail.message { text += ": \(message)" }
            if let param = detail.param { text += " (param \(param))" }
            return text
        } ?? "no error details in the response"
        let reference = requestID.map { " Request-Id \($0)." } ?? ""
        let tries = attempts == 1 ? "" : " after \(attempts) attempts"
        let code: Code
        let message: String
        switch status {
        case 401:
            code = .authentication
            message = "STRIPE_SECRET_KEY was rejected by Stripe (401): \(stripeSays).\(reference) "
                + "Put a valid sk_… or rk_… key in the environment or the env file (--env-file, default /etc/tally/tally.env)."
        case 403:
            code = .permission
            message = "STRIPE_SECRET_KEY may not call \(endpoint) (403): \(stripeSays).\(reference) "
                + "Grant the restricted key this permission in the Stripe dashboard, or use another key."
        case 429:
            code = .rateLimited
            // The endpoint reads "POST /v1/…": its path names the bucket, and so the setting that caps it.
            let path = String(endpoint.drop { $0 != "/" })
            let setting = StripeRateLimits.isMeterEvent(path: path) ? "STRIPE_METER_EVENT_MAX_RPS" : "STRIPE_MAX_RPS"
            message = "Stripe rate-limited \(endpoint)\(tries) (429): \(stripeSays).\(reference) "
                + "Lower \(setting) (another integration shares the key's budget) or re-run later."
        case 409, 500...:
            code = .server
            message = "Stripe failed \(endpoint)\(tries) (\(status)): \(stripeSays).\(reference) "
                + "Re-run later; check https://status.stripe.com if it persists."
        default:
            code = .invalidRequest
            let hint = detail?.docUrl.map { " See \($0)." } ?? ""
            message = "Stripe rejected \(endpoint) (\(status)): \(stripeSays).\(reference)\(hint) "
                + "Fix the request data or settings it came from; retrying will not help."
        }
        return StripeError(code: code, endpoint: endpoint, httpStatus: status, requestID: requestID,
                           stripeError: detail, message: message)
    }

    /// The error for an exchange that produced no response. `apiBase` is `STRIPE_API_BASE` as configured,
    /// named in the message because a wrong base is the usual reason nothing answers.
    static func transport(_ error: HTTPTransportError, endpoint: String, attempts: Int, apiBase: String) -> StripeError {
        let tries = attempts == 1 ? "" : " after \(attempts) attempts"
        switch error.kind {
        case .timeout:
            return StripeError(code: .timeout, endpoint: endpoint,
                               message: "\(endpoint) timed out\(tries) (\(error.message)). "
                                   + "Re-run later; check STRIPE_API_BASE and the network if it persists.")
        case .responseTooLarge:
            return StripeError(code: .misbehaving, endpoint: endpoint,
                               message: "Stripe's response to \(endpoint) was larger than Tally reads (\(error.message)); "
                                   + "no Stripe response is that large. Check STRIPE_API_BASE and any proxy in between, then re-run.")
        case .connectFailed, .tls:
            return StripeError(code: .network, endpoint: endpoint,
                               message: "Could not reach Stripe at STRIPE_API_BASE=\(displayed(apiBase)) for \(endpoint)\(tries) "
                                   + "(\(error.kind.rawValue): \(error.message)). Check that STRIPE_API_BASE is https://api.stripe.com "
                                   + "(or the running tally-sandbox's URL), that its host resolves and accepts connections from here "
                                   + "(DNS, firewall, proxy), then re-run.",
                               stripeNotReached: true)
        case .other:
            return StripeError(code: .network, endpoint: endpoint,
                               message: "Could not reach Stripe for \(endpoint)\(tries) (\(error.kind.rawValue): \(error.message)). "
                                   + "Check the network and STRIPE_API_BASE, then re-run.")
        }
    }

    /// The base URL without any user, password or query it might carry.
    private static func displayed(_ apiBase: String) -> String {
        guard let components = URLComponents(string: apiBase), let scheme = components.scheme, let host = components.host else {
            return "(not a URL)"
        }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "") + components.path
    }

    /// The error for a response body that is not what the model expects.
    static func decoding(_ underlying: any Error, endpoint: String, requestID: String?, type: String) -> StripeError {
        let reference = requestID.map { " Request-Id \($0)." } ?? ""
        return StripeError(code: .decoding, endpoint: endpoint, requestID: requestID,
                           message: "Could not read Stripe's response to \(endpoint) as \(type): \(underlying).\(reference) "
                               + "Check that STRIPE_API_VERSION matches the version Tally pins, and STRIPE_API_BASE.")
    }

    /// The error for a list that would never end: its cursor came back, or it ran past `pages` pages.
    static func endlessList(_ endpoint: String, pages: Int, repeatedCursor: String?) -> StripeError {
        let what = repeatedCursor.map { "returned the cursor \($0) a second time after \(pages) pages" }
            ?? "still said has_more after \(pages) pages"
        return StripeError(code: .misbehaving, endpoint: endpoint,
                           message: "The Stripe list \(endpoint) \(what), so it would never end; the job stopped reading it. "
                               + "Check STRIPE_API_BASE and any proxy in between (Stripe never repeats a cursor), then re-run.")
    }

    /// The fail-fast error while the circuit is open.
    static func circuitOpen(failures: Int, last: String, endpoint: String) -> StripeError {
        StripeError(code: .circuitOpen, endpoint: endpoint,
                    message: "Stripe is unavailable: \(failures) consecutive calls failed (last: \(last)); "
                        + "the job stopped calling Stripe. Check https://status.stripe.com and STRIPE_API_BASE, then re-run.")
    }
}
