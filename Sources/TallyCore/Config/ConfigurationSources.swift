/// Where a job looks for its settings, before any is read.
public struct ConfigurationSources: Sendable {
    /// `--config`; when `nil`, `TALLY_CONFIG` or `/etc/tally/tally.yaml` is read if it exists.
    public var configFile: String?
    /// `--env-file`; when `nil`, `TALLY_ENV_FILE` or `/etc/tally/tally.env` is read if it exists.
    public var environmentFile: String?
    /// The process environment.
    public var environment: [String: String]
    /// Command-line values (`--set KEY=VALUE` and the named flags), which beat every other source.
    public var overrides: [String: String]

    public static let defaultConfigFile = "/etc/tally/tally.yaml"
    public static let defaultEnvironmentFile = "/etc/tally/tally.env"

    public init(configFile: String? = nil, environmentFile: String? = nil, environment: [String: String], overrides: [String: String] = [:]) {
        self.configFile = configFile
        self.environmentFile = environmentFile
        self.environment = environment
        self.overrides = overrides
    }
}

/// Settings a particular job cannot run without.
public enum ConfigurationRequirement: Sendable, Hashable {
    /// At least one `STRIPE_METER_ID`.
    case meterIDs
    /// `ALERT_EMAIL`.
    case alertRecipients
    /// `DATABASE_URL`: every job needs it (the app's database is never guessed); code that only reads
    /// settings, such as tests and benchmarks, may go without.
    case database
}
