import Foundation
import Testing
@testable import TallyCore

@Suite("Settings: defaults < config file < env file < environment < flags, every key validated")
struct ConfigurationLoaderTests {
    let liveKey = "sk_live_51TallyVerySecretKeyValue"
    /// Every job needs a database; tests that are about something else name one (it is never opened here).
    static let database = ["DATABASE_URL": "sqlite:/srv/app/app.sqlite"]

    @Test("with only a simulator base URL, the defaults apply and the sandbox key is used")
    func defaultsAgainstTheSimulator() async throws {
        let config = try await load(environment: ["STRIPE_API_BASE": "http://127.0.0.1:12111"])
        #expect(config.stripe.secretKey.revealed == StripeDefaults.sandboxAPIKey)
        #expect(config.stripe.apiVersion == StripeDefaults.apiVersion)
        #expect(config.stripe.maxRequestsPerSecond == 0)
        #expect(config.stripeClientConfiguration.rateLimits.general.rate == 24.25)
        #expect(config.usageAlerts.thresholds == [0.5, 0.8, 0.95, 1.0])
        #expect(config.usageAlerts.warningThreshold == 0.8)
        #expect(config.usageAlerts.hardLimit == 1.0)
        #expect(config.reconcile.alertRatio == 0.05)
        #expect(config.reconcile.remindDays == 7)
        #expect(!config.stripe.isLiveMode)
        #expect(config.reconcile.settleDelay == 120 * 60)
        #expect(config.mail.smtpURL == nil)
        #expect(config.output.reportsDirectory.lastPathComponent == "reports")
    }

    @Test("a live key defaults the client rate limit below Stripe's live limit")
    func liveKeyRateDefault() async throws {
        let config = try await load(environment: ["STRIPE_SECRET_KEY": liveKey])
        #expect(config.stripe.isLiveMode)
        #expect(config.stripeClientConfiguration.rateLimits.general.rate == 97)
    }

    @Test("each source overrides the one before it: file < env file < environment < flags")
    func precedence() async throws {
        let directory = try temporaryDirectory()
        let yaml = directory.appendingPathComponent("tally.yaml")
        try "RECONCILE_ALERT_RATIO: 0.10\nRECONCILE_SETTLE_MINUTES: 30\nREPORTS_DIR: /srv/a\nSTRIPE_METER_ID: mtr_file\n".write(to: yaml, atomically: true, encoding: .utf8)
        let envFile = directory.appendingPathComponent("tally.env")
        try "RECONCILE_SETTLE_MINUTES=45\nREPORTS_DIR=/srv/b\nSTRIPE_METER_ID=mtr_envfile\n".write(to: envFile, atomically: true, encoding: .utf8)

        let config = try await ConfigurationLoader.load(ConfigurationSources(
            configFile: yaml.path, environmentFile: envFile.path,
            environment: ["STRIPE_API_BASE": "http://localhost:1", "REPORTS_DIR": "/srv/c", "STRIPE_METER_ID": "mtr_env"].merging(Self.database) { $1 },
            overrides: ["STRIPE_METER_ID": "mtr_flag,mtr_second"]))

        #expect(config.reconcile.alertRatio == 0.10)
        #expect(config.reconcile.settleDelay == 45 * 60)
        #expect(config.output.reportsDirectory.path == "/srv/c")
        #expect(config.stripe.meterIDs == ["mtr_flag", "mtr_second"])
        #expect(config.origins[.reconcileAlertRatio] == .configFile(yaml.path))
        #expect(config.origins[.reconcileSettleMinutes] == .environmentFile(envFile.path))
        #expect(config.origins[.stripeMeterID] == .commandLine)
    }

    @Test("a missing secret key against real Stripe names the key and how to set it", arguments: [
        [String: String](), ["STRIPE_SECRET_KEY": ""],
    ])
    func missingKey(environment: [String: String]) async throws {
        let error = try await expectConfigurationError { try await load(environment: environment) }
        #expect(error.key == "STRIPE_SECRET_KEY")
        #expect(error.description.contains("export"))
        #expect(error.exitStatus.rawValue == 78)
    }

    @Test("bad values are reported by key, with the fix, and never echo a secret", arguments: [
        ("STRIPE_SECRET_KEY", "pk_live_123456789", "publishable"),
        ("STRIPE_SECRET_KEY", "not-a-key-at-all", "sk_test_"),
        ("STRIPE_API_BASE", "http://api.stripe.com", "https"),
        ("STRIPE_MAX_RPS", "fast", "number"),
        ("STRIPE_MAX_RPS", "500", "0 to 100"),
        ("STRIPE_METER_ID", "mtr 1", "meter id"),
        ("USAGE_ALERT_THRESHOLDS", "0.8,0.5", "ascending"),
        ("USAGE_CAP_WARNING_THRESHOLD", "1.5", "USAGE_CAP_HARD_LIMIT"),
        ("RECONCILE_ALERT_RATIO", "-1", "0 to 1"),
        ("RECONCILE_SETTLE_MINUTES", "2.5", "whole number"),
        ("RECONCILE_REMIND_DAYS", "0", "1 to 365"),
        ("RECONCILE_REMIND_DAYS", "1.5", "whole number"),
        ("DATABASE_URL", "mysql://root:hunter22@db/app", "sqlite:"),
        ("SMTP_URL", "http://mail", "smtp://"),
        ("ALERT_EMAIL", "ops@example.com,nobody", "email address"),
        ("MAIL_FROM", "Tally <t@x.io>\r\nBcc: victim@x.io", "single email"),
        ("LOG_FORMAT", "xml", "text or json"),
        ("USAGE_QUERY", "DELETE FROM token_usage", "SELECT"),
        ("USAGE_QUERY", "SELECT 1; DROP TABLE teams", "one statement"),
    ])
    func badValue(key: String, value: String, hint: String) async throws {
        var environment = ["STRIPE_SECRET_KEY": liveKey]
        environment[key] = value
        let error = try await expectConfigurationError { try await load(environment: environment) }
        #expect(error.key == key)
        #expect(error.description.contains(hint), "\(error.description)")
        #expect(!error.description.contains(liveKey))
        #expect(!error.description.contains("hunter22"))
    }

    @Test("a job that needs meters refuses to start without STRIPE_METER_ID")
    func requiredMeters() async throws {
        let error = try await expectConfigurationError {
            try await ConfigurationLoader.load(ConfigurationSources(environment: ["STRIPE_SECRET_KEY": liveKey].merging(Self.database) { $1 }), requirements: [.meterIDs])
        }
        #expect(error.key == "STRIPE_METER_ID")
    }

    @Test("a secret in a file others can read is refused; the same file made owner-only is accepted")
    func secretsOnlyFromOwnerOnlyFiles() async throws {
        let file = try temporaryDirectory().appendingPathComponent("tally.yaml")
        try "STRIPE_SECRET_KEY: \(liveKey)\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let error = try await expectConfigurationError {
            try await ConfigurationLoader.load(ConfigurationSources(configFile: file.path, environment: Self.database))
        }
        #expect(error.key == "STRIPE_SECRET_KEY")
        #expect(error.description.contains("chmod 600"))
        #expect(!error.description.contains(liveKey))

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let config = try await ConfigurationLoader.load(ConfigurationSources(configFile: file.path, environment: Self.database))
        #expect(config.stripe.secretKey.revealed == liveKey)
        #expect("\(config.stripe.secretKey)" == "<redacted>")
    }

    @Test("a config file that fails to parse on the line holding a secret never echoes the secret")
    func parseErrorHidesSecret() async throws {
        let file = try temporaryDirectory().appendingPathComponent("tally.yaml")
        try "STRIPE_METER_ID: mtr_1\nSTRIPE_SECRET_KEY: \"\(liveKey): [\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let error = try await expectConfigurationError {
            try await ConfigurationLoader.load(ConfigurationSources(configFile: file.path, environment: Self.database))
        }
        #expect(error.key == "--config")
        #expect(error.description.contains("line 2"), "\(error.description)")
        #expect(!error.description.contains(liveKey), "\(error.description)")
        #expect(!error.description.contains(String(liveKey.prefix(12))), "\(error.description)")
    }

    @Test("a password-free database URL may sit in a world-readable config file")
    func passwordFreeURLInFile() async throws {
        let file = try temporaryDirectory().appendingPathComponent("tally.yaml")
        try "DATABASE_URL: postgres://tally@db.internal:5432/app\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let config = try await ConfigurationLoader.load(ConfigurationSources(configFile: file.path, environment: ["STRIPE_SECRET_KEY": liveKey]))
        #expect(config.database.url?.revealed == "postgres://tally@db.internal:5432/app")
    }

    @Test("a config file that is not valid YAML is a configuration error naming the file")
    func brokenFile() async throws {
        let file = try temporaryDirectory().appendingPathComponent("tally.yaml")
        try "STRIPE_METER_ID: [unclosed\n".write(to: file, atomically: true, encoding: .utf8)
        let error = try await expectConfigurationError {
            try await ConfigurationLoader.load(ConfigurationSources(configFile: file.path, environment: ["STRIPE_SECRET_KEY": liveKey].merging(Self.database) { $1 }))
        }
        #expect(error.description.contains(file.path))
    }

    // MARK: - Helpers

    private func load(environment: [String: String]) async throws -> TallyConfiguration {
        try await ConfigurationLoader.load(ConfigurationSources(environment: Self.database.merging(environment) { $1 }))
    }

    private func expectConfigurationError(_ body: () async throws -> TallyConfiguration) async throws -> ConfigurationError {
        do {
            _ = try await body()
        } catch let error as ConfigurationError {
            return error
        }
        Issue.record("expected a ConfigurationError")
        throw CancellationError()
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
