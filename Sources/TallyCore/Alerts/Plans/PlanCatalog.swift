import Configuration

/// The plan mapping (`PLANS`, the integration plan's `PRODUCT_FEATURES`): a Stripe product or price id to the
/// tokens and features it includes, e.g. in the config file
///
/// ```yaml
/// PLANS:
///   prod_pro: { tokens: 100000, features: [basic, exports] }
///   price_team_monthly: { tokens: 5000 }
/// ```
///
/// Ids are looked up as the subscriptions name them (`PLANS.<id>.tokens`), so the environment works too
/// (`PLANS_PROD_PRO_TOKENS=100000`). A price mapping wins over its product's.
public struct PlanCatalog: Sendable {
    private var entries: [String: PlanAllowance]
    private var reader: ConfigReader?

    /// A fixed mapping (tests, or a mapping built in code).
    public init(_ entries: [String: PlanAllowance] = [:]) {
        self.entries = entries
        self.reader = nil
    }

    /// The mapping under `PLANS` in the configuration sources `reader` reads.
    public init(reader: ConfigReader) {
        self.entries = [:]
        self.reader = reader.scoped(to: ConfigKey(["PLANS"]))
    }

    /// The allowance mapped to a product or price id, if any.
    public func allowance(for id: String) -> PlanAllowance? {
        if let entry = entries[id] { return entry }
        guard let reader else { return nil }
        let scope = reader.scoped(to: ConfigKey([id]))
        let tokens = scope.int(forKey: ConfigKey(["tokens"])).map(Int64.init)
            ?? scope.string(forKey: ConfigKey(["tokens"])).flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        guard let tokens, tokens >= 0 else { return nil }
        let features = scope.stringArray(forKey: ConfigKey(["features"]))
            ?? scope.string(forKey: ConfigKey(["features"]))?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            ?? []
        return PlanAllowance(tokens: tokens, features: features)
    }

    /// The same mapping for `ids` alone, each looked up once: a night's 100,000 subscription items name a
    /// handful of prices and products, and each lookup through the configuration reader costs a scoped read.
    public func resolving(_ ids: Set<String>) -> PlanCatalog {
        var resolved: [String: PlanAllowance] = [:]
        for id in ids {
            if let allowance = allowance(for: id) { resolved[id] = allowance }
        }
        return PlanCatalog(resolved)
    }
}
