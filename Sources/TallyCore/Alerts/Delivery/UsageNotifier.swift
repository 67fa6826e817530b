import Foundation

/// Sends notices. The live implementation emails through a `Mailer`, writes in-app rows to the store and
/// POSTs signed webhooks through an `HTTPTransport`.
public protocol UsageNotifier: Sendable {
    /// Sends one notice on one channel.
    func deliver(_ notice: UsageNotice, on channel: AlertChannel, recipients: UsageNoticeRecipients) async throws

    /// Sends a batch of notices, each on its channel, and says for each (in order) whether it went out. A
    /// failed notice never holds up the others. A live notifier pays its fixed costs (a transaction for the
    /// in-app rows, a disk flush for the outbox) once per batch rather than once per notice.
    func deliver(_ deliveries: [UsageNoticeDelivery]) async -> [Result<Void, any Error>]
}

extension UsageNotifier {
    /// One notice after the other.
    public func deliver(_ deliveries: [UsageNoticeDelivery]) async -> [Result<Void, any Error>] {
        var results: [Result<Void, any Error>] = []
        for delivery in deliveries {
            do {
                try await deliver(delivery.notice, on: delivery.channel, recipients: delivery.recipients)
                results.append(.success(()))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}

/// One notice to send on one channel, and to whom.
public struct UsageNoticeDelivery: Sendable, Equatable {
    public var notice: UsageNotice
    public var channel: AlertChannel
    public var recipients: UsageNoticeRecipients

    public init(notice: UsageNotice, channel: AlertChannel, recipients: UsageNoticeRecipients) {
        self.notice = notice
        self.channel = channel
        self.recipients = recipients
    }
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
