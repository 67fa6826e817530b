import Foundation

/// Sends one notice on one channel. The live implementation emails through a `Mailer`, writes in-app rows
/// to the store and POSTs signed webhooks through an `HTTPTransport`.
public protocol UsageNotifier: Sendable {
    func deliver(_ notice: UsageNotice, on channel: AlertChannel, recipients: UsageNoticeRecipients) async throws
}

/// Who hears of a team's notice.
public struct UsageNoticeRecipients: Sendable, Equatable {
    public var owners: [String]
    public var webhook: TeamWebhook?
    public var ops: [String]

    public init(owners: [String], webhook: TeamWebhook?, ops: [String]) {
        self.owners = owners
        self.webhook = webhook
        self.ops = ops
    }
}

/// A channel that could not deliver; the ledger keeps the notice due for the next run.
public struct AlertDeliveryError: TallyFailure, Equatable {
    public var channel: AlertChannel
    public var message: String

    public init(channel: AlertChannel, message: String) {
        self.channel = channel
        self.message = message
    }

    public var exitStatus: ExitStatus { .needsHuman }
    public var description: String { "\(channel.rawValue) notification failed: \(message); it is retried on the next run" }
}
