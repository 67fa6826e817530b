/// A stored event's payload cannot be processed: it does not decode, or lacks what the sync needs (exit 65
/// if it ever stopped a run; in the queue it is retried with backoff, then dead-lettered).
public struct StripeEventPayloadInvalid: TallyFailure, Equatable {
    public var eventID: String
    public var eventType: String
    public var problem: String

    public init(eventID: String, eventType: String, problem: String) {
        self.eventID = eventID
        self.eventType = eventType
        self.problem = problem
    }

    public var exitStatus: ExitStatus { .dataError }

    public var description: String {
        "event \(eventID) (\(eventType)) cannot be processed: \(problem); compare it with the event in the Stripe dashboard, then fix or delete its stripe_event_queue entry"
    }
}
