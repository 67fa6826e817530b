/// A Stripe client that stops with the job: no call starts once a stop was requested, and a call in flight
/// (a slow answer, a backoff before the next attempt) is abandoned at once, so SIGTERM is honoured within
/// moments wherever the job is, even in a list that would never end.
///
/// An abandoned POST may still have reached Stripe: callers store what they sent before sending, and the
/// next run resends under the same Idempotency-Key, which replays Stripe's first answer.
public struct InterruptibleStripe: StripeAPI {
    public var base: any StripeAPI
    public var interrupt: InterruptFlag

    public init(base: any StripeAPI, interrupt: InterruptFlag) {
        self.base = base
        self.interrupt = interrupt
    }

    public func send(_ request: StripeRequest) async throws -> StripeResponse {
        try interrupt.check()
        let base = self.base
        let call = Task { try await base.send(request) }
        let token = interrupt.onRequest { call.cancel() }
        defer { interrupt.removeHandler(token) }
        do {
            return try await withTaskCancellationHandler {
                try await call.value
            } onCancel: {
                call.cancel()
            }
        } catch {
            // Whatever the abandoned call threw (a cancellation, most likely), the job stops because it was asked to.
            try interrupt.check()
            throw error
        }
    }
}
