/// `tally-alerts` ran on a store where `tally-events` never listed Stripe's subscriptions (exit 78): every team
/// would look like it has no subscription, so the run stops rather than report a silent "all skipped".
public struct SubscriptionStateNeverSynced: TallyFailure, Equatable {
    public init() {}

    public var exitStatus: ExitStatus { .configuration }

    public var description: String {
        "subscription state has never been synced from Stripe: run `tally-events` (its first run lists every subscription), then run tally-alerts again"
    }
}
