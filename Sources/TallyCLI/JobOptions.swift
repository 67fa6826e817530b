import Foundation
import ArgumentParser
import TallyCore

/// The options every job executable shares, pulled in with `@OptionGroup`.
public struct JobOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("config"), help: "Config file, YAML or JSON (default: /etc/tally/tally.yaml if it exists).")
    public var configFile: String?

    @Option(name: .customLong("env-file"), help: "Env file of KEY=value lines (default: $TALLY_ENV_FILE or /etc/tally/tally.env if it exists).")
    public var environmentFile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting for this run; repeatable.", valueName: "KEY=VALUE"))
    public var overrides: [String] = []

    @Option(help: "Start of the range, UTC: YYYY-MM-DD or 2026-11-24T13:00:00Z (inclusive).")
    public var since: String?

    @Option(help: "End of the range, UTC: YYYY-MM-DD or 2026-11-24T13:00:00Z (exclusive).")
    public var until: String?

    @Flag(help: "Work out and store what would be done, but send nothing to Stripe and no email.")
    public var dryRun = false

    @Option(help: "Log lines as text or json (overrides LOG_FORMAT).")
    public var logFormat: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (overrides LOG_LEVEL).")
    public var logLevel: String?

    public init() {}

    public func validate() throws {
        for pair in overrides {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let key = SettingKey(rawValue: String(parts[0])) else {
                let typed = String(pair.split(separator: "=").first ?? "")
                let meant = SettingKey.closest(to: typed, among: []).map { " (did you mean \($0)?)" } ?? ""
                throw ValidationError("--set \(typed): expected KEY=VALUE with KEY one of \(SettingKey.allCases.map(\.rawValue).joined(separator: ", "))\(meant)")
            }
            if key.isSecret {
                throw ValidationError("--set \(key.rawValue): secrets are not accepted on the command line (other users can read it in `ps`); export it or put it in the env file")
            }
        }
        let start = try since.map { try parse($0, flag: "--since") }
        let end = try until.map { try parse($0, flag: "--until") }
        if let start, let end, let since, let until, start >= end {
            throw ValidationError("--since \(since) is not before --until \(until): the range would be empty; swap them, or pass an --until after --since")
        }
    }

    /// The command-line values as settings, which beat every other source.
    public var settingOverrides: [String: String] {
        var values: [String: String] = [:]
        for pair in overrides {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            values[parts[0]] = parts[1]
        }
        if let logFormat { values[SettingKey.logFormat.rawValue] = logFormat }
        if let logLevel { values[SettingKey.logLevel.rawValue] = logLevel }
        return values
    }

    private func parse(_ value: String, flag: String) throws -> Date {
        do {
            return try JobTimeRange.parseInstant(value, flag: flag)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
