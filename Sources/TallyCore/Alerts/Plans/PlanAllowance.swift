/// What a plan includes: tokens per billing period, and the features the app unlocks with it.
public struct PlanAllowance: Sendable, Equatable {
    public var tokens: Int64
    public var features: [String]

    public init(tokens: Int64, features: [String] = []) {
        self.tokens = tokens
        self.features = features
    }
}
