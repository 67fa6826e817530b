extension SettingKey {
    /// Names a config file may hold besides the settings (`PLANS`, which only a file can express).
    public static let configFileOnlyKeys = ["PLANS"]

    /// The known name closest to a mistyped one (`STRIPE_METR_ID` → `STRIPE_METER_ID`,
    /// `REPORT_DIR` → `REPORTS_DIR`), or `nil` when none is close enough to be a likely typo.
    public static func closest(to name: String, among extra: [String] = configFileOnlyKeys) -> String? {
        let typed = name.uppercased()
        let candidates = allCases.map(\.rawValue) + extra
        guard let best = candidates.min(by: { editDistance(typed, $0) < editDistance(typed, $1) }) else { return nil }
        // A third of the name may differ: catches dropped, doubled and swapped letters, not unrelated words.
        return editDistance(typed, best) <= max(1, best.count / 3) ? best : nil
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
