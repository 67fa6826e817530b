/// Every setting Tally reads, with its default and a line of documentation.
///
/// The names are the environment-variable names from the seed plan's 7.2; a config file uses the same
/// names as top-level keys, and `--set KEY=VALUE` the same again, so one name works everywhere.
public enum SettingKey: String, CaseIterable, Sendable {
    case stripeSecretKey = "STRIPE_SECRET_KEY"
    case stripeAPIBase = "STRIPE_API_BASE"
    case stripeAPIVersion = "STRIPE_API_VERSION"
    case stripeMeterID = "STRIPE_METER_ID"
    case stripeMaxRPS = "STRIPE_MAX_RPS"
    case stripeMeterEventMaxRPS = "STRIPE_METER_EVENT_MAX_RPS"
    case stripeTimeoutSeconds = "STRIPE_TIMEOUT_SECONDS"
    case stripeMaxAttempts = "STRIPE_MAX_ATTEMPTS"
    case stripeCircuitBreakerThreshold = "STRIPE_CIRCUIT_BREAKER_THRESHOLD"
    case databaseURL = "DATABASE_URL"
    case usageQuery = "USAGE_QUERY"
    case alertEmail = "ALERT_EMAIL"
    case smtpURL = "SMTP_URL"
    case mailFrom = "MAIL_FROM"
    case usageAlertThresholds = "USAGE_ALERT_THRESHOLDS"
    case usageCapWarningThreshold = "USAGE_CAP_WARNING_THRESHOLD"
    case usageCapHardLimit = "USAGE_CAP_HARD_LIMIT"
    case reconcileAlertRatio = "RECONCILE_ALERT_RATIO"
    case reconcileSettleMinutes = "RECONCILE_SETTLE_MINUTES"
    case reconcileLookbackDays = "RECONCILE_LOOKBACK_DAYS"
    case reconcileRemindDays = "RECONCILE_REMIND_DAYS"
    case reportsDir = "REPORTS_DIR"
    case logFormat = "LOG_FORMAT"
    case logLevel = "LOG_LEVEL"
    case metricsDir = "METRICS_DIR"
    case healthcheckURL = "HEALTHCHECK_URL"
    case alertTemplatesDir = "ALERT_TEMPLATES_DIR"

    /// The value used when no source sets the key; `nil` when there is none.
    public var defaultValue: String? {
        switch self {
        case .stripeAPIBase: "https://api.stripe.com"
        case .stripeAPIVersion: StripeDefaults.apiVersion
        case .stripeTimeoutSeconds: "60"
        case .stripeMaxAttempts: "4"
        case .stripeCircuitBreakerThreshold: "5"
        case .mailFrom: "Tally <tally@localhost>"
        case .usageAlertThresholds: "0.5,0.8,0.95,1.0"
        case .usageCapWarningThreshold: "0.8"
        case .usageCapHardLimit: "1.0"
        case .reconcileAlertRatio: "0.05"
        case .reconcileSettleMinutes: "120"
        case .reconcileLookbackDays: "3"
        case .reconcileRemindDays: "7"
        case .reportsDir: "./reports"
        case .logFormat: "text"
        case .logLevel: "info"
        case .stripeSecretKey, .stripeMeterID, .stripeMaxRPS, .databaseURL, .usageQuery, .alertEmail, .smtpURL,
            .metricsDir, .healthcheckURL:
            nil
        case .alertTemplatesDir: nil
        case .stripeMeterEventMaxRPS: nil
        }
    }

    /// Whether the value may carry a credential: such a key is never logged, and may only come from the
    /// environment or from a file that its owner alone can read.
    public var isSecret: Bool {
        switch self {
        case .stripeSecretKey, .smtpURL, .databaseURL, .healthcheckURL: true
        default: false
        }
    }

    /// What the setting means, for `--help` and the README.
    public var summary: String {
        switch self {
        case .stripeSecretKey: "Stripe secret (sk_…) or restricted (rk_…) key; required unless STRIPE_API_BASE is a loopback simulator"
        case .stripeAPIBase: "Stripe API base URL; point it at tally-sandbox for a simulator (https required except on loopback)"
        case .stripeAPIVersion: "sent as Stripe-Version on every call, pinning response shapes"
        case .stripeMeterID: "one or more Stripe meter ids, comma-separated (mtr_…)"
        case .stripeMaxRPS: "the client's general request rate, a ceiling for teams that share their Stripe budget with the app (unset or 0: 97 % of Stripe's limit for the key's mode, 97/s live, 24.25/s test)"
        case .stripeMeterEventMaxRPS: "the client's meter-event rate (unset or 0: 97 % of Stripe's live 1,000/s, separate from the general rate; with a test key meter events also count toward STRIPE_MAX_RPS, as Stripe counts them toward its basic limit)"
        case .stripeTimeoutSeconds: "total time one Stripe request may take"
        case .stripeMaxAttempts: "attempts per Stripe request, counting the first"
        case .stripeCircuitBreakerThreshold: "consecutive failed Stripe calls after which a job stops calling Stripe and exits 69"
        case .databaseURL: "required: the app's database, holding its usage table; sqlite:PATH or postgres://user:pass@host:port/db?sslmode=…"
        case .usageQuery: "the SELECT that maps the app's usage table to Tally's columns (see README, App schema)"
        case .alertEmail: "ops recipients of discrepancy and failure emails, comma-separated"
        case .smtpURL: "smtp:// or smtps://user:pass@host:port; unset writes .eml files to REPORTS_DIR/outbox"
        case .mailFrom: "From address of every email"
        case .usageAlertThresholds: "usage ratios of the plan allowance that notify a team"
        case .usageCapWarningThreshold: "from this ratio team owners are emailed"
        case .usageCapHardLimit: "at this ratio the team is flagged blocked"
        case .reconcileAlertRatio: "alert when the absolute discrepancy exceeds this share of usage"
        case .reconcileSettleMinutes: "usage younger than this is not judged (Stripe aggregates asynchronously)"
        case .reconcileLookbackDays: "complete UTC days before yesterday that each reconcile run re-judges"
        case .reconcileRemindDays: "days after which the reconcile alert sends unchanged open problems in full again (in between it lists only what is new or resolved)"
        case .reportsDir: "where reports and the email outbox are written"
        case .logFormat: "text or json log lines on stderr"
        case .logLevel: "trace, debug, info, notice, warning, error or critical"
        case .metricsDir: "node_exporter textfile-collector directory; each job writes tally_<job>.prom there after each run (unset: none)"
        case .healthcheckURL: "URL pinged at start (/start) and with the exit code at the end (unset: none)"
        case .alertTemplatesDir: "directory of usage-alert templates (usage-alert.subject/txt/html/summary.mustache, usage-blocked-ops.subject/txt/html.mustache) overriding the built-in ones (unset: built-in)"
        }
    }
}

/// Stripe constants Tally pins.
public enum StripeDefaults {
    /// The API version every request pins with `Stripe-Version`.
    public static let apiVersion = "2026-07-29.dahlia"
    /// The key the bundled simulator accepts by default.
    public static let sandboxAPIKey = "sk_test_tally"
}
