import Synchronization

/// Stops a job calling Stripe after too many consecutive failed calls, so an outage costs one clear error
/// (exit 69) instead of hours of retries. A success closes it again.
public final class CircuitBreaker: Sendable {
    /// Consecutive failed calls that open the circuit; 0 disables it.
    public let threshold: Int
    private let state = Mutex<(failures: Int, last: String)>((0, ""))

    public init(threshold: Int) {
        self.threshold = max(0, threshold)
    }

    /// Whether calls currently fail fast.
    public var isOpen: Bool {
        threshold > 0 && state.withLock { $0.failures >= threshold }
    }

    /// Throws the circuit-open error when open.
    public func ensureClosed(endpoint: String) throws(StripeError) {
        guard threshold > 0 else { return }
        let (failures, last) = state.withLock { ($0.failures, $0.last) }
        if failures >= threshold {
            throw StripeError.circuitOpen(failures: failures, last: last, endpoint: endpoint)
        }
    }

    /// A call got an answer from Stripe: the failure streak ends.
    public func recordSuccess() {
        state.withLock { $0 = (0, "") }
    }

    /// A call failed for good (retries exhausted, or a transport error); returns the circuit-open error when
    /// this failure opened the circuit.
    public func recordFailure(_ summary: String, endpoint: String) -> StripeError? {
        let failures = state.withLock { state in
            state.failures += 1
            state.last = summary
            return state.failures
        }
        guard threshold > 0, failures >= threshold else { return nil }
        return StripeError.circuitOpen(failures: failures, last: summary, endpoint: endpoint)
    }
}
