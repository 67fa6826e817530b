import Configuration
import Foundation
import Logging
import SystemPackage

/// Builds the one `TallyConfiguration` a job runs with, layering the sources through swift-configuration
/// and validating every key, so a bad setting stops the job at start-up by name (exit 78).
public enum ConfigurationLoader {
    /// Reads and validates every setting. Lines of the env or config file that Tally ignores (unknown
    /// keys, lines that are not `KEY=value`) are handed to `warn` first, even when a setting then fails;
    /// every bad setting is reported in one error.
    public static func load(
        _ sources: ConfigurationSources,
        requirements: Set<ConfigurationRequirement> = [],
        warn: (ConfigurationWarning) -> Void = { _ in }
    ) async throws -> TallyConfiguration {
        let read = try await readLayers(sources)
        read.warnings.forEach(warn)
        let layers = read.layers
        let reader = ConfigReader(providers: layers.map(\.provider))
        var raw: [SettingKey: String] = [:]
        var origins: [SettingKey: SettingOrigin] = [:]
        for key in SettingKey.allCases {
            if let value = string(reader, key), !value.trimmingCharacters(in: .whitespaces).isEmpty {
                raw[key] = value.trimmingCharacters(in: .whitespacesAndNewlines)
                origins[key] = layers.first { string(ConfigReader(provider: $0.provider), key) != nil }?.origin ?? .defaultValue
            } else if let fallback = key.defaultValue {
                raw[key] = fallback
                origins[key] = .defaultValue
            }
        }
        var configuration = try SettingsValidator(
            raw: raw, origins: origins, requirements: requirements, environmentFile: read.environmentFile,
            earlierProblems: secretsInFiles(raw, origins)).validate()
        configuration.plans = PlanCatalog(reader: reader)
        return configuration
    }

    /// Where a run reports to monitoring (`METRICS_DIR`, `HEALTHCHECK_URL`), read on their own so that a run
    /// whose other settings are broken still reaches the health ping and the metrics file with its 78.
    /// Best effort: a source that cannot be read is passed over, and a value that is not usable is nil.
    public static func monitoring(_ sources: ConfigurationSources) async -> (metricsDirectory: URL?, healthcheckURL: Secret?) {
        let layers = (try? await readLayers(sources))?.layers.map(\.provider)
            ?? [EnvironmentVariablesProvider(environmentVariables: sources.environment, secretsSpecifier: secretsSpecifier)]
        let reader = ConfigReader(providers: layers)
        let metrics = string(reader, .metricsDir).flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
        let ping = string(reader, .healthcheckURL).flatMap { text -> Secret? in
            guard let url = URL(string: text), url.scheme == "https" || (url.scheme == "http" && isLoopback(url)) else { return nil }
            return Secret(text)
        }
        return (metrics, ping)
    }

    /// True for `localhost`, `127.0.0.0/8` and `::1`: the only hosts allowed plain HTTP.
    public static func isLoopback(_ url: URL) -> Bool {
        guard let host = url.host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    private struct Layer {
        var origin: SettingOrigin
        var provider: any ConfigProvider
    }

    /// The sources in precedence order, the env file actually read, and the lines Tally ignores.
    private struct ReadLayers {
        var layers: [Layer]
        var environmentFile: String?
        var warnings: [ConfigurationWarning]
    }

    private static func readLayers(_ sources: ConfigurationSources) async throws -> ReadLayers {
        var layers: [Layer] = []
        var warnings: [ConfigurationWarning] = []
        let flagValues = Dictionary(uniqueKeysWithValues: sources.overrides.map { key, value in
            (AbsoluteConfigKey([key]), ConfigValue(.string(value), isSecret: SettingKey(rawValue: key)?.isSecret ?? false))
        })
        layers.append(Layer(origin: .commandLine, provider: InMemoryProvider(name: "command line", values: flagValues)))
        layers.append(Layer(origin: .environment, provider: EnvironmentVariablesProvider(
            environmentVariables: sources.environment, secretsSpecifier: secretsSpecifier)))

        let envFile = sources.environmentFile ?? sources.environment["TALLY_ENV_FILE"]
        let envFileRead = envFile ?? existing(ConfigurationSources.defaultEnvironmentFile)
        if let path = envFileRead {
            guard FileManager.default.isReadableFile(atPath: path),
                  let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: "--env-file", problem: "names \(path), which cannot be read",
                                         fix: "create it, fix its permissions, or drop --env-file/TALLY_ENV_FILE")
            }
            // Parsed here rather than by swift-configuration's own env-file reader, which knows neither
            // quotes, `export` nor comments after a value; the values then go through its provider as usual.
            let file = EnvironmentFile.parse(String(decoding: data, as: UTF8.self))
            warnings += file.warnings(path: path)
            layers.append(Layer(origin: .environmentFile(path), provider: EnvironmentVariablesProvider(
                environmentVariables: file.values, secretsSpecifier: secretsSpecifier)))
        }

        if let path = sources.configFile ?? sources.environment["TALLY_CONFIG"] ?? existing(ConfigurationSources.defaultConfigFile) {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError(key: "--config", problem: "names \(path), which cannot be read",
                                         fix: "create it, fix its permissions, or drop --config")
            }
            layers.append(Layer(origin: .configFile(path), provider: try await fileProvider(path)))
            warnings += ConfigFileKeys.unknownKeys(inFileAt: path)
        }
        return ReadLayers(layers: layers, environmentFile: envFileRead, warnings: warnings)
    }

    private static func fileProvider(_ path: String) async throws -> any ConfigProvider {
        do {
            if path.hasSuffix(".json") {
                return try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            }
            return try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
        } catch {
            throw ConfigurationError(key: "--config", problem: "\(path) could not be parsed: \(parseProblem(error, fileAt: path))",
                                     fix: "check its YAML (or JSON, for a .json file) syntax; keys are the setting names, e.g. STRIPE_METER_ID: mtr_123")
        }
    }

    /// A parser's complaint without the text it quotes: the YAML scanner echoes the offending line (and a
    /// caret under it), and that line may hold a secret. Only the position and the problem are kept.
    static func parseProblem(_ error: any Error, fileAt path: String) -> String {
        let fileLines = Set(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
            .components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let kept = "\(error)".components(separatedBy: .newlines).filter { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // Drop a quoted line of the file, and the caret line that points into it.
            return !trimmed.isEmpty && !fileLines.contains(trimmed) && !trimmed.allSatisfy { $0 == "^" || $0 == " " }
                && !fileLines.contains { !$0.isEmpty && trimmed.contains($0) }
        }
        var problem = kept.joined(separator: " ")
        while problem.hasSuffix(":") { problem.removeLast() }
        return problem
    }

    /// Reads a key as text, accepting YAML numbers and lists too.
    private static func string(_ reader: ConfigReader, _ key: SettingKey) -> String? {
        let configKey = ConfigKey([key.rawValue])
        if let text = reader.string(forKey: configKey, isSecret: key.isSecret) { return text }
        if let list = reader.stringArray(forKey: configKey, isSecret: key.isSecret) { return list.joined(separator: ",") }
        if let number = reader.double(forKey: configKey) { return String(number) }
        if let number = reader.int(forKey: configKey) { return String(number) }
        return nil
    }

    private static var secretsSpecifier: SecretsSpecifier<String, String> {
        .specific(Set(SettingKey.allCases.filter(\.isSecret).map(\.rawValue)))
    }

    /// A URL setting without a password (`sqlite:…`, `postgres://tally@db/app`) is not a secret.
    private static func carriesCredential(_ key: SettingKey, _ value: String?) -> Bool {
        guard let value else { return false }
        switch key {
        case .databaseURL, .smtpURL: return URLComponents(string: value)?.password != nil
        default: return true
        }
    }

    private static func existing(_ path: String) -> String? {
        FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Secrets may only come from the environment or from a file its owner alone can read.
    private static func secretsInFiles(_ raw: [SettingKey: String], _ origins: [SettingKey: SettingOrigin]) -> [ConfigurationError] {
        var problems: [ConfigurationError] = []
        for key in SettingKey.allCases where key.isSecret && carriesCredential(key, raw[key]) {
            let path: String
            switch origins[key] {
            case .configFile(let file), .environmentFile(let file): path = file
            default: continue
            }
            let mode = ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? 0
            if mode & 0o077 != 0 {
                problems.append(ConfigurationError(
                    key: key.rawValue,
                    problem: "is set in \(path), which group or others can read (mode \(String(mode, radix: 8)))",
                    fix: "run `chmod 600 \(path)` (owner-only), or set \(key.rawValue) in the environment instead"))
            }
        }
        return problems
    }
}
