import Foundation
import Logging

/// How a `StripeSimulator` behaves; every field has a default that suits tests.
public struct SimulatorConfiguration: Sendable {
    /// Secret keys accepted in `Authorization` (Bearer or basic-auth user).
    public var apiKeys: Set<String>
    /// The simulator clock's time at start.
    public var startTime: Date
    /// The `livemode` flag on every object.
    public var livemode: Bool
    /// How long after receipt a meter event shows up in summaries (0 = at once; Stripe is only eventually consistent).
    public var aggregationDelay: TimeInterval
    /// How long an identifier blocks a duplicate meter event (Stripe: a rolling period of at least 24 hours).
    public var identifierWindow: TimeInterval
    /// Injected failures.
    public var faults: FaultPlan
    /// Where the simulator logs one line per request.
    public var logger: Logger

    public init(
        apiKeys: Set<String> = ["sk_test_tally"],
        startTime: Date = Date(timeIntervalSince1970: 1_767_225_600),
        livemode: Bool = false,
        aggregationDelay: TimeInterval = 0,
        identifierWindow: TimeInterval = 24 * 3600,
        faults: FaultPlan = FaultPlan(),
        logger: Logger = Logger(label: "tally.sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.apiKeys = apiKeys
        self.startTime = startTime
        self.livemode = livemode
        self.aggregationDelay = aggregationDelay
        self.identifierWindow = identifierWindow
        self.faults = faults
        self.logger = logger
    }
}
