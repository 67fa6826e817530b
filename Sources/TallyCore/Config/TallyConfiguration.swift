import Foundation
import Logging

/// Every setting a job runs with, validated, built in one place (`ConfigurationLoader`).
///
/// Sources, each overriding the last: defaults in code < config file < env file < environment <
/// command-line flags. `SettingKey` documents each key.
public struct TallyConfiguration: Sendable {
    public var stripe: StripeSettings
    public var database: DatabaseSettings
    public var mail: MailSettings
    public var usageAlerts: UsageAlertSettings
    public var reconcile: ReconcileSettings
    public var output: OutputSettings
    public var log: LogSettings
    /// Which file each value came from, for the secrets-in-files rule and `--print-config`.
    public var origins: [SettingKey: SettingOrigin]
    /// `PLANS`: Stripe product or price id to included tokens and features (config file; see `PlanCatalog`).
    public var plans: PlanCatalog = PlanCatalog()

    /// Stripe connection settings.
    public struct StripeSettings: Sendable {
        public var secretKey: Secret
        public var apiBase: URL
        public var apiVersion: String
        public var meterIDs: [String]
        /// `STRIPE_MAX_RPS`: the general bucket's rate; 0 means Stripe's default for the key's mode.
        public var maxRequestsPerSecond: Double
        public var requestTimeout: TimeInterval
        public var maxAttempts: Int
        public var circuitBreakerThreshold: Int
        /// `STRIPE_METER_EVENT_MAX_RPS`: the meter-event bucket's rate; 0 means Stripe's default.
        public var meterEventMaxRequestsPerSecond: Double = 0

        /// True when the key is a live-mode key (real money).
        public var isLiveMode: Bool { secretKey.revealed.hasPrefix("sk_live_") || secretKey.revealed.hasPrefix("rk_live_") }
        /// True when the API base is a local simulator.
        public var isLoopback: Bool { ConfigurationLoader.isLoopback(apiBase) }
    }

    /// Where Tally's tables and the app's usage live.
    public struct DatabaseSettings: Sendable {
        /// `DATABASE_URL`, kept secret because a PostgreSQL URL may carry a password; `nil` when unset
        /// (a job requires it: `ConfigurationRequirement.database`).
        public var url: Secret?
        /// The configured usage query, or `nil` for the backend's default.
        public var usageQuery: String?
    }

    /// Where alert emails go and how they are sent.
    public struct MailSettings: Sendable {
        public var alertRecipients: [String]
        /// `nil` writes `.eml` files to the outbox instead of sending.
        public var smtpURL: Secret?
        public var from: String
    }

    /// Usage-threshold notifications.
    public struct UsageAlertSettings: Sendable {
        public var thresholds: [Double]
        public var warningThreshold: Double
        public var hardLimit: Double
        /// `ALERT_TEMPLATES_DIR`: templates there replace the built-in ones of the same name.
        public var templatesDirectory: URL? = nil
    }

    /// Reconciliation tolerances.
    public struct ReconcileSettings: Sendable {
        public var alertRatio: Double
        public var settleDelay: TimeInterval
        public var lookbackDays: Int
        /// `RECONCILE_REMIND_DAYS`.
        public var remindDays: Int = 7
    }

    /// Files the jobs write.
    public struct OutputSettings: Sendable {
        public var reportsDirectory: URL
        /// node_exporter's textfile-collector directory, when metrics are wanted.
        public var metricsDirectory: URL?
        public var healthcheckURL: Secret?

        /// `REPORTS_DIR/outbox`, where emails go when no SMTP server is configured.
        public var outboxDirectory: URL { reportsDirectory.appendingPathComponent("outbox", isDirectory: true) }
    }

    /// Log output.
    public struct LogSettings: Sendable {
        public var format: LogFormat
        public var level: Logger.Level
    }

    /// Every secret value, so the log handler can scrub them from any line as a last line of defence.
    public var secretValues: [String] {
        var values = [stripe.secretKey.revealed]
        if let url = database.url, let password = URLComponents(string: url.revealed)?.password { values.append(password) }
        if let smtp = mail.smtpURL, let password = URLComponents(string: smtp.revealed)?.password { values.append(password) }
        return values.filter { $0.count >= 4 }
    }
}

/// Where a setting's value came from.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    case configFile(String)
    case environmentFile(String)
    case environment
    case commandLine

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .configFile(let path): "config file \(path)"
        case .environmentFile(let path): "env file \(path)"
        case .environment: "environment"
        case .commandLine: "command line"
        }
    }
}
