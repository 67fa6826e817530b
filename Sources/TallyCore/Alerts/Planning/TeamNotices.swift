import Foundation

/// One team's notices: one per channel, naming the highest threshold due on it.
struct TeamNotices: Sendable, Equatable {
    var teamID: String
    /// In channel order (by raw value), so runs send in the same order.
    var channels: [ChannelNotice]
}

/// One notice on one channel, and the ledger rows its delivery settles (this run's claims and any earlier
/// ones of the period that were not delivered).
struct ChannelNotice: Sendable, Equatable {
    var channel: AlertChannel
    var notice: UsageNotice
    var keys: [UsageNotificationKey]
}
