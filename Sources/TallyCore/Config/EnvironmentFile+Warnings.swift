extension EnvironmentFile {
    /// Warnings for the env file's lines Tally ignores. Keys starting with `TALLY_` belong to the `jobs/`
    /// wrappers and are not warned about.
    func warnings(path: String) -> [ConfigurationWarning] {
        var warnings: [ConfigurationWarning] = unparsedLines.map { unparsed in
            switch unparsed.reason {
            case .noEquals(let word):
                ConfigurationWarning(file: path, line: unparsed.line, problem: "is not KEY=value (it has no `=`) and is ignored",
                                     suggestion: SettingKey.closest(to: word, among: []).map { "\($0)=…" })
            case .badName(let name):
                ConfigurationWarning(file: path, line: unparsed.line,
                                     problem: "the text before `=` is not a variable name (letters, digits and _), so the line is ignored",
                                     suggestion: SettingKey.closest(to: name.replacingOccurrences(of: " ", with: "_"), among: []))
            case .unclosedQuote:
                ConfigurationWarning(file: path, line: unparsed.line, problem: "opens a quote it never closes, so the line is ignored")
            case .textAfterQuote(let key):
                ConfigurationWarning(file: path, line: unparsed.line,
                                     problem: "\(key) has text after its closing quote, which is ignored (put a comment after ` #`)")
            }
        }
        for assignment in assignments where SettingKey(rawValue: assignment.key) == nil && !assignment.key.hasPrefix("TALLY_") {
            if SettingKey.configFileOnlyKeys.contains(assignment.key) {
                warnings.append(ConfigurationWarning(file: path, line: assignment.line,
                                                     problem: "\(assignment.key) can only be set in the config file (--config), so it is ignored here"))
            } else {
                warnings.append(ConfigurationWarning(file: path, line: assignment.line,
                                                     problem: "\(assignment.key) is not a Tally setting and is ignored",
                                                     suggestion: SettingKey.closest(to: assignment.key, among: [])))
            }
        }
        return warnings.sorted { $0.line < $1.line }
    }
}
