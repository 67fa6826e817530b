/// An event Tally was asked to complete or fail has no queue entry (exit 65: the queue is not what Tally wrote).
public struct StripeEventNotQueued: TallyFailure, Equatable {
    public var eventID: String

    public init(eventID: String) { self.eventID = eventID }

    public var exitStatus: ExitStatus { .dataError }

    public var description: String {
        "stripe_event_queue has no entry for event \(eventID): it was deleted while tally-events ran; re-run tally-events, which queues stored events again only if they are new"
    }
}
