import Foundation

/// What `tally-alerts` reads and writes: each team's usage in its own billing period, team owners and
/// webhooks, the notification ledger with the in-app rows, and the usage caps; four small roles.
public typealias UsageAlertStore = PeriodUsageSource & TeamContactSource & UsageNotificationLedger & UsageCapStore

/// Every team's usage in its own billing period.
public protocol PeriodUsageSource: Sendable {
    /// Each team's usage in its billing period, for every period in `periods`, in ONE query: the usage query
    /// joined with the periods. Rows without a team, with negative tokens or after `now` are not summed; a team
    /// without usage has no row.
    func periodUsage(_ periods: [TeamBillingPeriod], now: Date) async throws -> [PeriodUsage]
}

/// Who hears about a team's usage: its owners and the webhook it configured.
public protocol TeamContactSource: Sendable {
    /// Owner email addresses per team (`team_members.role = 'owner'` joined to `users.email`).
    func teamOwnerEmails() async throws -> [String: [String]]
    /// The webhooks teams configured (`tally_team_webhooks`), by team id.
    func teamWebhooks() async throws -> [String: TeamWebhook]
    /// Adds or replaces a team's webhook.
    func saveTeamWebhook(_ webhook: TeamWebhook) async throws
}

/// The notices already given (`tally_usage_notifications`) and the in-app rows (`tally_notifications`).
public protocol UsageNotificationLedger: Sendable {
    /// The ledger rows of the given teams' periods (`tally_usage_notifications`).
    func usageNotifications(periodStartingAtOrAfter start: Date) async throws -> [UsageNotificationRecord]
    /// Inserts the rows whose (team, period, threshold, channel) is not in the ledger yet, as pending.
    /// Existing rows are left alone, which makes re-runs silent.
    func claimUsageNotifications(_ records: [UsageNotificationRecord]) async throws
    /// Marks ledger rows sent, or failed with `error` (they stay due and are retried by the next run).
    func markUsageNotifications(_ keys: [UsageNotificationKey], outcome: UsageNotificationStatus, error: String?, at: Date) async throws
    /// Writes in-app notifications for the app's notification centre, once per (team, period, threshold), all
    /// in one transaction; a row already there is left alone, so a re-run after a crash adds no duplicate.
    func insertInAppNotifications(_ notifications: [InAppNotificationRecord]) async throws
    /// The in-app notifications of a team, newest first.
    func inAppNotifications(teamID: String) async throws -> [InAppNotificationRecord]
}

extension UsageNotificationLedger {
    /// Writes one in-app notification (see `insertInAppNotifications`).
    public func insertInAppNotification(_ notification: InAppNotificationRecord) async throws {
        try await insertInAppNotifications([notification])
    }
}

/// Each team's cap row for its period (`tally_usage_caps`), which the app's middleware reads.
public protocol UsageCapStore: Sendable {
    /// Inserts or updates each team's cap row for its period.
    func saveUsageCaps(_ caps: [UsageCapRecord]) async throws
    /// The cap rows, ordered by team and period.
    func usageCaps() async throws -> [UsageCapRecord]
}

/// A team's current billing period, as its subscription items give it.
public struct TeamBillingPeriod: Sendable, Equatable, Hashable {
    public var teamID: String
    public var start: Date
    public var end: Date

    public init(teamID: String, start: Date, end: Date) {
        self.teamID = teamID
        self.start = start
        self.end = end
    }
}

/// One team's tokens in its billing period so far.
public struct PeriodUsage: Sendable, Equatable {
    public var teamID: String
    public var tokens: Int64

    public init(teamID: String, tokens: Int64) {
        self.teamID = teamID
        self.tokens = tokens
    }
}

/// A Slack-compatible webhook a team configured; `secret` signs each POST and is never logged.
public struct TeamWebhook: Sendable, Equatable {
    public var teamID: String
    public var url: String
    public var secret: Secret

    public init(teamID: String, url: String, secret: Secret) {
        self.teamID = teamID
        self.url = url
        self.secret = secret
    }
}

/// How a notification reaches people.
public enum AlertChannel: String, Sendable, CaseIterable, Codable {
    /// Email to the team's owners.
    case email
    /// A row in `tally_notifications` for the app's notification centre.
    case inApp = "in_app"
    /// The team's signed webhook.
    case webhook
    /// Email to `ALERT_EMAIL` when a team is blocked.
    case ops
}

/// Whether a ledger row's notification went out.
public enum UsageNotificationStatus: String, Sendable, Codable {
    case pending
    case sent
    case failed
}

/// The unique key of a ledger row.
public struct UsageNotificationKey: Sendable, Equatable, Hashable {
    public var teamID: String
    public var periodStart: Date
    public var threshold: Double
    public var channel: AlertChannel

    public init(teamID: String, periodStart: Date, threshold: Double, channel: AlertChannel) {
        self.teamID = teamID
        self.periodStart = periodStart
        self.threshold = threshold
        self.channel = channel
    }
}

/// One row of `tally_usage_notifications`: a threshold crossed by a team in a period, on one channel.
public struct UsageNotificationRecord: Sendable, Equatable {
    public var key: UsageNotificationKey
    public var used: Int64
    public var allowance: Int64
    public var status: UsageNotificationStatus
    public var attempts: Int
    public var lastError: String?
    /// When it was recorded or last attempted.
    public var sentAt: Date

    public init(key: UsageNotificationKey, used: Int64, allowance: Int64, status: UsageNotificationStatus = .pending,
                attempts: Int = 0, lastError: String? = nil, sentAt: Date) {
        self.key = key
        self.used = used
        self.allowance = allowance
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.sentAt = sentAt
    }
}

/// One row of `tally_notifications`, which the app's notification centre lists.
public struct InAppNotificationRecord: Sendable, Equatable {
    public var teamID: String
    public var periodStart: Date
    public var threshold: Double
    /// `info`, `warning`, `urgent` or `limit`.
    public var level: String
    public var title: String
    public var body: String
    public var createdAt: Date

    public init(teamID: String, periodStart: Date, threshold: Double, level: String, title: String, body: String, createdAt: Date) {
        self.teamID = teamID
        self.periodStart = periodStart
        self.threshold = threshold
        self.level = level
        self.title = title
        self.body = body
        self.createdAt = createdAt
    }
}

/// One row of `tally_usage_caps`: the app's access check blocks a team whose current row has `blocked`:
///
/// ```sql
/// SELECT blocked FROM tally_usage_caps
/// WHERE team_id = :team AND period_start <= :now AND period_end > :now   -- unix seconds
/// ORDER BY period_start DESC LIMIT 1                                      -- no row: not blocked
/// ```
///
/// `tally-alerts` sets `blocked` when usage reaches `USAGE_CAP_HARD_LIMIT` of the allowance and clears it when
/// the ratio falls below (a plan upgrade); a new billing period starts a new row, unblocked.
public struct UsageCapRecord: Sendable, Equatable {
    public var teamID: String
    public var periodStart: Date
    public var periodEnd: Date
    public var allowance: Int64
    public var used: Int64
    public var blocked: Bool
    /// When the team was last blocked in this period.
    public var blockedAt: Date?
    /// When the team reaches its allowance at the current pace, if within reach.
    public var projectedLimitAt: Date?
    public var updatedAt: Date

    public init(teamID: String, periodStart: Date, periodEnd: Date, allowance: Int64, used: Int64, blocked: Bool,
                blockedAt: Date?, projectedLimitAt: Date?, updatedAt: Date) {
        self.teamID = teamID
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.allowance = allowance
        self.used = used
        self.blocked = blocked
        self.blockedAt = blockedAt
        self.projectedLimitAt = projectedLimitAt
        self.updatedAt = updatedAt
    }
}
