import Foundation

/// Rows of a Next.js-SaaS-starter-like app: teams, users, memberships and token usage.
public struct SampleApp: Sendable {
    public var teams: [SampleTeam]
    public var users: [SampleUser]
    public var members: [SampleMember]
    public var usage: [SampleUsage]

    public init(teams: [SampleTeam] = [], users: [SampleUser] = [], members: [SampleMember] = [], usage: [SampleUsage] = []) {
        self.teams = teams
        self.users = users
        self.members = members
        self.usage = usage
    }
}

/// A row of the app's `teams`.
public struct SampleTeam: Sendable {
    public var id: Int64
    public var name: String
    public var stripeCustomerID: String?
    public var stripeSubscriptionID: String?
    public var stripeProductID: String?
    public var planName: String?
    public var subscriptionStatus: String?

    public init(id: Int64, name: String, stripeCustomerID: String?, stripeSubscriptionID: String? = nil, stripeProductID: String? = nil, planName: String? = nil, subscriptionStatus: String? = nil) {
        self.id = id
        self.name = name
        self.stripeCustomerID = stripeCustomerID
        self.stripeSubscriptionID = stripeSubscriptionID
        self.stripeProductID = stripeProductID
        self.planName = planName
        self.subscriptionStatus = subscriptionStatus
    }
}

/// A row of the app's `users`.
public struct SampleUser: Sendable {
    public var id: Int64
    public var name: String
    public var email: String

    public init(id: Int64, name: String, email: String) {
        self.id = id
        self.name = name
        self.email = email
    }
}

/// A row of the app's `team_members`; `role` is `owner` or `member`.
public struct SampleMember: Sendable {
    public var userID: Int64
    public var teamID: Int64
    public var role: String

    public init(userID: Int64, teamID: Int64, role: String) {
        self.userID = userID
        self.teamID = teamID
        self.role = role
    }
}

/// A row of the app's `token_usage`; `id` is assigned by the database.
public struct SampleUsage: Sendable {
    /// `nil` makes a bad row: usage no team can be billed for.
    public var teamID: Int64?
    public var userID: Int64?
    public var action: String
    public var tokens: Int64
    public var createdAt: Date
    public var meterEventIdentifier: String?
    public var reportedAt: Date?

    public init(teamID: Int64?, userID: Int64?, action: String = "chat", tokens: Int64, createdAt: Date, meterEventIdentifier: String? = nil, reportedAt: Date? = nil) {
        self.teamID = teamID
        self.userID = userID
        self.action = action
        self.tokens = tokens
        self.createdAt = createdAt
        self.meterEventIdentifier = meterEventIdentifier
        self.reportedAt = reportedAt
    }
}
