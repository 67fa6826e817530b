import Foundation
import Testing
@testable import TallyCore

@Suite("Settings problems: warned by line with the key meant, reported all at once, pointing at the file read")
struct SettingsProblemsTests {
    let liveKey = "sk_live_51TallyVerySecretKeyValue"

    @Test("a quoted, exported, commented env file gives the values meant, so a quoted key is accepted")
    func conventionsThroughTheLoader() async throws {
        // Given an env file written for systemd or dotenv
        let envFile = try write("""
            # Tally
            export STRIPE_SECRET_KEY="\(liveKey)"
            STRIPE_METER_ID='mtr_123'
            DATABASE_URL=sqlite:/srv/app/app.sqlite   # the app's own database
            REPORTS_DIR="/srv/tally reports"
            """)
        // When the settings are loaded
        var warnings: [ConfigurationWarning] = []
        let config = try await ConfigurationLoader.load(ConfigurationSources(environmentFile: envFile, environment: [:]),
                                                        warn: { warnings.append($0) })
        // Then every value is the one written, without quotes or comments
        #expect(config.stripe.secretKey.revealed == liveKey)
        #expect(config.stripe.meterIDs == ["mtr_123"])
        #expect(config.database.url?.revealed == "sqlite:/srv/app/app.sqlite")
        #expect(config.output.reportsDirectory.path == "/srv/tally reports")
        #expect(warnings.isEmpty)
    }

    @Test("unknown keys and unparseable lines are warned about with the file, the line and the key probably meant")
    func warnings() async throws {
        let envFile = try write("""
            DATABASE_URL=sqlite:/srv/app/app.sqlite
            STRIPE_SECRET_KEY=\(liveKey)
            STRIPE_METR_ID=mtr_123
            REPORT_DIR=/srv/reports
            STRIPE_METER_ID mtr_456
            this line is garbage
            TALLY_LOG_DIR=/var/log/tally
            """)
        var warnings: [ConfigurationWarning] = []
        _ = try await ConfigurationLoader.load(ConfigurationSources(environmentFile: envFile, environment: [:]),
                                               warn: { warnings.append($0) })
        #expect(warnings.map(\.line) == [3, 4, 5, 6], "TALLY_ keys belong to the wrappers: \(warnings)")
        #expect(warnings.allSatisfy { $0.file == envFile })
        #expect(warnings[0].description == "warning: \(envFile) line 3: STRIPE_METR_ID is not a Tally setting and is ignored; did you mean STRIPE_METER_ID?")
        #expect(warnings[1].suggestion == "REPORTS_DIR")
        #expect(warnings[2].description.contains("has no `=`"))
        #expect(warnings[2].suggestion == "STRIPE_METER_ID=…")
        #expect(warnings[3].suggestion == nil)
        #expect(!warnings.map(\.description).joined().contains(liveKey))
        #expect(!warnings.map(\.description).joined().contains("garbage"), "a line's text may be a secret: never echoed")
    }

    @Test("an unknown key in a YAML config file is warned about by line, with the key probably meant")
    func configFileWarnings() async throws {
        let yaml = try write("""
            # Tally
            STRIPE_METER_ID: mtr_1
            RECONCILE_ALERT_RATO: 0.1
            PLANS:
              prod_1:
                tokens: 100
            """, name: "tally.yaml")
        var warnings: [ConfigurationWarning] = []
        _ = try await ConfigurationLoader.load(ConfigurationSources(configFile: yaml, environment: [
            "STRIPE_SECRET_KEY": liveKey, "DATABASE_URL": "sqlite:/srv/app/app.sqlite",
        ]), warn: { warnings.append($0) })
        #expect(warnings == [ConfigurationWarning(file: yaml, line: 3, problem: "RECONCILE_ALERT_RATO is not a Tally setting and is ignored",
                                                  suggestion: "RECONCILE_ALERT_RATIO")])
    }

    @Test("an unknown key in a JSON config file is warned about by the line it is on")
    func jsonConfigFileWarnings() async throws {
        let json = try write("{\n  \"STRIPE_METER_ID\": \"mtr_1\",\n  \"ALERT_EMAILS\": \"ops@example.com\"\n}\n", name: "tally.json")
        var warnings: [ConfigurationWarning] = []
        _ = try await ConfigurationLoader.load(ConfigurationSources(configFile: json, environment: ["STRIPE_SECRET_KEY": liveKey]),
                                               warn: { warnings.append($0) })
        #expect(warnings.map(\.line) == [3])
        #expect(warnings.first?.suggestion == "ALERT_EMAIL")
    }

    @Test("several bad settings are named together in one error, which exits 78")
    func allProblemsAtOnce() async throws {
        do {
            _ = try await ConfigurationLoader.load(ConfigurationSources(environment: [
                "STRIPE_SECRET_KEY": liveKey, "STRIPE_MAX_RPS": "fast", "LOG_FORMAT": "xml", "ALERT_EMAIL": "nobody",
            ]), requirements: [.database])
            Issue.record("expected the settings to be refused")
        } catch let error as ConfigurationProblems {
            #expect(error.problems.map(\.key) == ["STRIPE_MAX_RPS", "ALERT_EMAIL", "DATABASE_URL", "LOG_FORMAT"])
            #expect(error.exitStatus.rawValue == 78)
            #expect(error.description.hasPrefix("4 configuration problems:"))
            #expect(!error.description.contains(liveKey))
        }
    }

    @Test("without DATABASE_URL a job's settings are refused, naming DATABASE_URL: no database is guessed (there is no default)")
    func databaseRequired() async throws {
        let error = try await #require(throws: ConfigurationError.self) {
            try await ConfigurationLoader.load(ConfigurationSources(environment: ["STRIPE_SECRET_KEY": liveKey]), requirements: [.database])
        }
        #expect(error.key == "DATABASE_URL")
        #expect(error.problem == "is not set")
        #expect(error.exitStatus.rawValue == 78)
    }

    @Test("a setting that is not set points at the env file actually read, not the default one")
    func notSetNamesTheFileRead() async throws {
        let envFile = try write("DATABASE_URL=sqlite:/srv/app/app.sqlite\n")
        let error = try await #require(throws: ConfigurationError.self) {
            try await ConfigurationLoader.load(ConfigurationSources(environmentFile: envFile, environment: [:]), requirements: [.database])
        }
        #expect(error.key == "STRIPE_SECRET_KEY")
        #expect(error.fix.contains(envFile))
        #expect(!error.fix.contains("/etc/tally/tally.env"))
    }

    @Test("the key closest to a typo is suggested; an unrelated word gets no suggestion", arguments: [
        ("STRIPE_METR_ID", "STRIPE_METER_ID"), ("REPORT_DIR", "REPORTS_DIR"), ("stripe_secret_key", "STRIPE_SECRET_KEY"),
        ("DATABASE_URI", "DATABASE_URL"), ("PLAN", "PLANS"), ("HELLO", nil), ("PATH", nil),
    ] as [(String, String?)])
    func suggestion(typed: String, meant: String?) {
        #expect(SettingKey.closest(to: typed) == meant)
    }

    // MARK: - Helpers

    private func write(_ text: String, name: String = "tally.env") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return file.path
    }
}
