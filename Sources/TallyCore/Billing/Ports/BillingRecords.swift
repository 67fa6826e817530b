import Foundation

/// One row of `tally_invoices`: an invoice as the newest of its events showed it. Amounts in minor units.
public struct InvoiceRecord: Sendable, Equatable {
    public var invoiceID: String
    public var customerID: String?
    public var subscriptionID: String?
    public var number: String?
    public var status: String?
    public var currency: String
    public var amountDue: Int64
    public var amountPaid: Int64
    public var amountRemaining: Int64
    public var hostedInvoiceURL: String?
    public var nextPaymentAttempt: Date?
    public var periodStart: Date?
    public var periodEnd: Date?

    public init(invoiceID: String, customerID: String?, subscriptionID: String?, number: String?, status: String?,
                currency: String, amountDue: Int64, amountPaid: Int64, amountRemaining: Int64, hostedInvoiceURL: String?,
                nextPaymentAttempt: Date?, periodStart: Date?, periodEnd: Date?) {
        self.invoiceID = invoiceID
        self.customerID = customerID
        self.subscriptionID = subscriptionID
        self.number = number
        self.status = status
        self.currency = currency
        self.amountDue = amountDue
        self.amountPaid = amountPaid
        self.amountRemaining = amountRemaining
        self.hostedInvoiceURL = hostedInvoiceURL
        self.nextPaymentAttempt = nextPaymentAttempt
        self.periodStart = periodStart
        self.periodEnd = periodEnd
    }
}

/// One row of `tally_billing_customers`: the name and email emails and reports use.
public struct BillingCustomerRecord: Sendable, Equatable {
    public var customerID: String
    public var name: String?
    public var email: String?
    public var defaultPaymentMethod: String?

    public init(customerID: String, name: String?, email: String?, defaultPaymentMethod: String?) {
        self.customerID = customerID
        self.name = name
        self.email = email
        self.defaultPaymentMethod = defaultPaymentMethod
    }
}

/// One row of `tally_payment_methods`.
public struct PaymentMethodRecord: Sendable, Equatable {
    public var paymentMethodID: String
    public var customerID: String?
    public var type: String?
    public var attached: Bool

    public init(paymentMethodID: String, customerID: String?, type: String?, attached: Bool) {
        self.paymentMethodID = paymentMethodID
        self.customerID = customerID
        self.type = type
        self.attached = attached
    }
}

/// One row of `tally_team_access`: what the app's middleware needs to decide "may this team use this now?".
public struct TeamAccessRecord: Sendable, Equatable {
    public var teamID: String
    public var customerID: String?
    public var subscriptionID: String?
    /// Stripe's subscription status; nil while only a usage cap named the team.
    public var subscriptionStatus: String?
    public var features: [String]
    /// Tokens included this period; nil when no plan maps an allowance.
    public var allowance: Int64?
    public var used: Int64
    /// `allowance - used`, never below 0; nil when the allowance is unknown.
    public var remaining: Int64?
    /// Paused by `tally-alerts` at the hard limit (`tally_usage_caps.blocked`).
    public var blocked: Bool
    public var updatedAt: Date

    public init(teamID: String, customerID: String?, subscriptionID: String?, subscriptionStatus: String?, features: [String],
                allowance: Int64?, used: Int64, remaining: Int64?, blocked: Bool, updatedAt: Date) {
        self.teamID = teamID
        self.customerID = customerID
        self.subscriptionID = subscriptionID
        self.subscriptionStatus = subscriptionStatus
        self.features = features
        self.allowance = allowance
        self.used = used
        self.remaining = remaining
        self.blocked = blocked
        self.updatedAt = updatedAt
    }

    /// `features` as stored: `,a,b,`, so one `strpos`/`instr` finds a whole name (README, "The access row").
    static func storedFeatures(_ features: [String]) -> String {
        let names = features.map { $0.filter { $0 != "," }.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.isEmpty ? "" : "," + names.joined(separator: ",") + ","
    }

    static func features(stored text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}

/// Which email of which event to which team (`tally_billing_emails`); `teamID` is empty for ops emails.
public struct BillingEmailKey: Sendable, Equatable, Hashable {
    public var eventID: String
    public var kind: BillingEmailKind
    public var teamID: String

    public init(eventID: String, kind: BillingEmailKind, teamID: String) {
        self.eventID = eventID
        self.kind = kind
        self.teamID = teamID
    }
}

/// One row of `tally_billing_emails`.
public struct BillingEmailRecord: Sendable, Equatable {
    public var key: BillingEmailKey
    public var recipients: [String]
    /// `pending` (claimed), `sent` or `failed`.
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var sentAt: Date?
}

/// A problem with a team's billing data that a person fixes once (`tally_billing_problems`).
public struct BillingProblem: Sendable, Equatable {
    public var teamID: String
    /// e.g. `no_owner_email`.
    public var problem: String
    public var eventID: String
    public var recordedAt: Date

    public init(teamID: String, problem: String, eventID: String, recordedAt: Date) {
        self.teamID = teamID
        self.problem = problem
        self.eventID = eventID
        self.recordedAt = recordedAt
    }
}

/// One row of `tally_meter_error_reports`.
public struct MeterErrorReportRecord: Sendable, Equatable {
    public var eventID: String
    public var eventType: String
    public var meterID: String?
    public var errorCount: Int64
    public var windowStart: Date?
    public var windowEnd: Date?
    /// `code:count` pairs, comma-separated, for a person reading the table.
    public var codes: String
    public var rowsMatched: Int
    public var recordedAt: Date
    /// The v2 event's `created`, where the next fetch resumes.
    public var created: Date

    public init(eventID: String, eventType: String, meterID: String?, errorCount: Int64, windowStart: Date?, windowEnd: Date?,
                codes: String, rowsMatched: Int, recordedAt: Date, created: Date) {
        self.eventID = eventID
        self.eventType = eventType
        self.meterID = meterID
        self.errorCount = errorCount
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.codes = codes
        self.rowsMatched = rowsMatched
        self.recordedAt = recordedAt
        self.created = created
    }
}
