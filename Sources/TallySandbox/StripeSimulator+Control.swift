import Foundation

/// The `/_sandbox/` control API (not part of Stripe): clock, faults, reset, health.
extension StripeSimulator {
    func control(_ request: SimulatorRequest) -> SimulatorResponse {
        // Loopback callers may drive the sandbox freely; anyone else needs an API key.
        if !request.remoteIsLoopback, let failure = Authentication.check(request, keys: configuration.apiKeys) {
            return .error(failure, requestID: request.requestID)
        }
        let parameters = FormParameters(encoded: request.query)
        switch (request.method, request.path) {
        case ("GET", "/_sandbox/health"):
            return status(request)
        case ("POST", "/_sandbox/clock/advance"):
            guard let seconds = parameters["seconds"].flatMap(Double.init), seconds >= 0 else {
                return .error(.invalid("Pass ?seconds=N with N >= 0.", param: "seconds"), requestID: request.requestID)
            }
            clock.advance(by: seconds)
            return status(request)
        case ("POST", "/_sandbox/clock/set"):
            guard let time = parameters["time"].flatMap(Double.init) else {
                return .error(.invalid("Pass ?time=UNIX_SECONDS.", param: "time"), requestID: request.requestID)
            }
            clock.set(Date(timeIntervalSince1970: time))
            return status(request)
        case ("POST", "/_sandbox/faults"):
            do {
                let plan = try JSONDecoder().decode(FaultPlan.self, from: Data(request.body.utf8))
                setFaults(plan)
                let text = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
                return SimulatorResponse(status: 200, headers: [("Content-Type", "application/json"),
                                                                ("Request-Id", request.requestID)], body: text)
            } catch {
                return .error(.invalid("The body must be a JSON fault plan, e.g. {\"errorRate\":0.1,\"latencyMs\":50}: \(error)"),
                              requestID: request.requestID)
            }
        case ("POST", "/_sandbox/reset"):
            state.reset()
            idempotency.removeAll()
            setFaults(configuration.faults)
            return status(request)
        default:
            if let response = billingControl(request, parameters) { return response }
            return .error(StripeAPIError(status: 404, message: "Unrecognized request URL (\(request.method): \(request.path))."),
                          requestID: request.requestID)
        }
    }

    private func status(_ request: SimulatorRequest) -> SimulatorResponse {
        .json(.object([("status", .string("ok")), ("now", .int(Int64(clock.now().timeIntervalSince1970)))]),
              requestID: request.requestID)
    }
}
