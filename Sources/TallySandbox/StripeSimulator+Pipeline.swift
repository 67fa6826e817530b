import Foundation

/// The request pipeline: control routes, scripted answers, auth, faults, idempotency, then Stripe routes.
extension StripeSimulator {
    /// A decided answer: nil response means close the connection without answering.
    struct Decision: Sendable {
        var response: SimulatorResponse?
        var delay: Duration
        var idempotency: (key: String, fingerprint: String)?
        /// What the key replays when it differs from what was sent (Stripe stored the real answer; the
        /// connection dropped or a proxy cut the body short on the way).
        var stored: SimulatorResponse? = nil
    }

    /// Decides the answer to a request (faults, auth, idempotency, routing); runs on the event loop, never blocks.
    func decide(_ request: SimulatorRequest) -> Decision {
        if request.path.hasPrefix("/_sandbox/") {
            return Decision(response: control(request), delay: .zero)
        }
        let decision = decideStripe(request)
        let hook = requestHooks.withLock { hooks -> (@Sendable () -> Void)? in
            hooks.count += 1
            return hooks.actions.removeValue(forKey: hooks.count)
        }
        hook?()
        return decision
    }

    /// The answer to a Stripe API request.
    private func decideStripe(_ request: SimulatorRequest) -> Decision {
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
        let processing: FaultInjector.Processing
        var distortion = FaultInjector.Distortion()
        let key = request.header("Authorization").flatMap(Authentication.apiKey(from:)) ?? ""
        switch faults.decide(path: request.path, liveMode: key.hasPrefix("sk_live_") || key.hasPrefix("rk_live_")) {
        case .dropConnection:
            return Decision(response: nil, delay: .zero)
        case .rateLimited:
            return Decision(response: .error(Self.rateLimited, requestID: request.requestID), delay: delay)
        case .lockTimeout:
            return Decision(response: .error(Self.lockTimeout, requestID: request.requestID), delay: delay)
        case .proceed(let decided, let distorted):
            processing = decided
            distortion = distorted
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
        if processing == .fail500Before {
            return Decision(response: .error(Self.internalError, requestID: request.requestID), delay: delay,
                            idempotency: idempotency)
        }
        var response = process(request, repeatingLists: distortion.repeatsList)
        switch processing {
        case .normal, .fail500Before:
            if let size = distortion.paddedTo, response.status == 200, response.body.utf8.count < size {
                response.body += String(repeating: " ", count: size - response.body.utf8.count)
            }
            return Decision(response: response, delay: delay, idempotency: idempotency)
        case .fail500After:
            // Stripe stores the 500 under the key, so the key replays the 500 although the work was done.
            return Decision(response: .error(Self.internalError, requestID: request.requestID), delay: delay,
                            idempotency: idempotency)
        case .dropAfter:
            return Decision(response: nil, delay: delay, idempotency: idempotency, stored: response)
        case .unreadableAfter:
            var cut = response
            cut.body = String(response.body.prefix(response.body.count / 2))
            return Decision(response: cut, delay: delay, idempotency: idempotency, stored: response)
        }
    }

    /// Routes `request` to the Stripe routes (a misbehaving list repeats its first page when asked to).
    private func process(_ request: SimulatorRequest, repeatingLists: Bool) -> SimulatorResponse {
        let repeating = request.method == "GET" && repeatingLists
        var routed = request
        if repeating {
            routed.query = routed.query.split(separator: "&")
                .filter { !$0.hasPrefix("starting_after=") && !$0.hasPrefix("ending_before=") }
                .joined(separator: "&")
        }
        let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        let router = StripeRouter(request: routed, now: now)
        do {
            var body = try state.withStorage { storage throws(StripeAPIError) in try router.route(&storage) }
            if repeating, case .object(let pairs) = body, body["object"] == .string("list") {
                body = .object(pairs.map { $0.0 == "has_more" ? ("has_more", .bool(true)) : $0 })
            }
            return .json(body, requestID: request.requestID)
        } catch {
            return .error(error, requestID: request.requestID)
        }
    }

    /// Called once the answer is sent (or the connection dropped): stores it for idempotent replay and
    /// records the request.
    func complete(_ request: SimulatorRequest, _ decision: Decision, startedAt: ContinuousClock.Instant) {
        let now = clock.now()
        if let idempotency = decision.idempotency, let response = decision.stored ?? decision.response {
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

    static let lockTimeout = StripeAPIError(
        status: 429, type: "invalid_request_error", code: "lock_timeout",
        message: "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.")

    static let internalError = StripeAPIError(
        status: 500, type: "api_error",
        message: "An unknown error occurred while processing your request. Please retry or contact support.")
}
