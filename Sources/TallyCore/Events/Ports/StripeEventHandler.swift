/// Something that acts on each stored Stripe event as the queue processes it (the billing events'
/// `BillingEventProcessor`), declared here so the events job can call it without naming its feature.
///
/// Called before the queue entry is completed; a thrown error is the event's failure (retried with backoff,
/// then dead-lettered), so an implementation must be safe to call again for the same event.
public protocol StripeEventHandler: Sendable {
    func handle(_ event: StripeEventRecord) async throws
}
