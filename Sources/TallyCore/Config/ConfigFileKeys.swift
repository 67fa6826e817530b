import Foundation

/// Finds the top-level keys of a YAML or JSON config file that Tally does not know, with their line
/// numbers, so a typo (`STRIPE_METR_ID:`) is warned about instead of silently doing nothing.
enum ConfigFileKeys {
    /// A warning per unknown top-level key. The file has already parsed, so only its keys are looked at.
    static func unknownKeys(inFileAt path: String) -> [ConfigurationWarning] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let keys = path.hasSuffix(".json") ? jsonKeys(data, text: text) : yamlKeys(text)
        let known = Set(SettingKey.allCases.map(\.rawValue) + SettingKey.configFileOnlyKeys)
        return keys.filter { !known.contains($0.key) }.map { key, line in
            ConfigurationWarning(file: path, line: line, problem: "\(key) is not a Tally setting and is ignored",
                                 suggestion: SettingKey.closest(to: key))
        }
    }

    /// Keys at column 0 (`KEY:` or `"KEY":`), skipping comments, document markers and list items.
    static func yamlKeys(_ text: String) -> [(key: String, line: Int)] {
        let pattern = /^["']?([^\s#:"'\-][^:"']*?)["']?\s*:(?:\s|$)/
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            guard let match = String(line).firstMatch(of: pattern) else { return nil }
            return (String(match.output.1), index + 1)
        }
    }

    /// A JSON object's keys, each at the line of its first appearance as `"KEY"`.
    static func jsonKeys(_ data: Data, text: String) -> [(key: String, line: Int)] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return object.keys.sorted().map { key in
            let prefix = text.range(of: "\"\(key)\"").map { text[..<$0.lowerBound] } ?? ""
            return (key, prefix.filter { $0 == "\n" }.count + 1)
        }.sorted { $0.line < $1.line }
    }
}
