import Foundation

/// The request pipeline: control routes, scripted answers, auth, faults, idempotency, then Stripe routes.
extension StripeSimulator {
    /// A decided answer: nil response means close the connection without answering.
    struct Decision: Sendable {
        var response: SimulatorResponse?
        var delay: Duration
        var idempotency: (key: String, fingerprint: String)?
    }

    /// Decides the answer to a request (faults, auth, idempotency, routing); runs on the event loop, never blocks.
    func decide(_ request: SimulatorRequest) -> Decision {
        if request.path.hasPrefix("/_sandbox/") {
            return Decision(response: control(request), delay: .zero)
        }
        // A scripted answer stands for a failure before Stripe processed anything, so it is neither
        // authenticated nor stored for idempotent replay: a retry with the same key is processed for real.
        if let canned = scripted.withLock({ queue -> ScriptedResponse? in
            guard let index = queue.firstIndex(where: { $0.matches(method: request.method, path: request.path) }) else {
                return nil
            }
            return queue.remove(at: index)
        }) {
            var headers = canned.headers
            if !headers.contains(where: { $0.0.lowercased() == "request-id" }) {
                headers.append(("Request-Id", request.requestID))
            }
            return Decision(response: SimulatorResponse(status: canned.status, headers: headers, body: canned.body),
                            delay: faults.delay())
        }
        if let failure = Authentication.check(request, keys: configuration.apiKeys) {
            return Decision(response: .error(failure, requestID: request.requestID), delay: .zero)
        }
        let delay = faults.delay()
        let failWith500: Bool
        switch faults.decide(path: request.path) {
        case .dropConnection:
            return Decision(response: nil, delay: .zero)
        case .rateLimited:
            return Decision(response: .error(Self.rateLimited, requestID: request.requestID), delay: delay)
        case .proceed(let fail):
            failWith500 = fail
        }
        var idempotency: (key: String, fingerprint: String)?
        if request.method == "POST", let key = request.header("Idempotency-Key"), !key.isEmpty {
            guard key.count <= 255 else {
                let error = StripeAPIError.invalid("Idempotency-Key must be at most 255 characters.",
                                                   param: "Idempotency-Key", code: nil)
                return Decision(response: .error(error, requestID: request.requestID), delay: delay)
            }
            let fingerprint = "\(request.method) \(request.path)?\(request.parameters.canonical)"
            switch self.idempotency.begin(key: key, fingerprint: fingerprint, now: clock.now()) {
            case .firstUse:
                idempotency = (key, fingerprint)
            case .replay(var response):
                response.headers = response.headers.filter { $0.0 != "Request-Id" } + [
                    ("Request-Id", request.requestID), ("Idempotent-Replayed", "true"),
                    ("Original-Request", response.headers.first { $0.0 == "Request-Id" }?.1 ?? request.requestID),
                ]
                return Decision(response: response, delay: delay)
            case .conflict(let error):
                return Decision(response: .error(error, requestID: request.requestID), delay: delay)
            }
        }
        let response: SimulatorResponse
        if failWith500 {
            response = .error(Self.internalError, requestID: request.requestID)
        } else {
            let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
            let router = StripeRouter(request: request, now: now)
            do {
                let body = try state.withStorage { storage throws(StripeAPIError) in try router.route(&storage) }
                response = .json(body, requestID: request.requestID)
            } catch {
                response = .error(error, requestID: request.requestID)
            }
        }
        return Decision(response: response, delay: delay, idempotency: idempotency)
    }

    /// Called once the answer is sent (or the connection dropped): stores it for idempotent replay and
    /// records the request.
    func complete(_ request: SimulatorRequest, _ decision: Decision, startedAt: ContinuousClock.Instant) {
        let now = clock.now()
        if let idempotency = decision.idempotency, let response = decision.response {
            self.idempotency.finish(key: idempotency.key, fingerprint: idempotency.fingerprint, response: response,
                                    now: now)
        }
        let status = decision.response?.status ?? 0
        let headers = request.headers.map { name, value in
            name.lowercased() == "authorization" ? (name, Authentication.maskedHeader(value)) : (name, value)
        }
        recorded.withLock {
            $0.append(RecordedRequest(method: request.method, path: request.path, query: request.query,
                                      headers: headers, body: request.body, receivedAt: request.receivedAt,
                                      arrivedAt: request.arrivedAt, status: status))
        }
        let elapsed = ContinuousClock.now - startedAt
        configuration.logger.info(
            "\(request.method) \(request.path) \(status == 0 ? "dropped" : String(status)) \(elapsed.formatted(.units(allowed: [.milliseconds], width: .narrow))) \(request.requestID)")
    }

    /// A fresh `req_...` id.
    func nextRequestID() -> String { requestIDs.withLock { $0.next("req") } }

    static let rateLimited = StripeAPIError(
        status: 429, type: "invalid_request_error", code: "rate_limit",
        message: "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.")

    static let internalError = StripeAPIError(
        status: 500, type: "api_error",
        message: "An unknown error occurred while processing your request. Please retry or contact support.")
}
