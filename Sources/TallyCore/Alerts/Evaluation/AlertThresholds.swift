/// The ratios that notify (`USAGE_ALERT_THRESHOLDS`) and the levels they map to.
public struct AlertThresholds: Sendable, Equatable {
    /// Ascending, the hard limit always among them.
    public var ratios: [Double]
    public var warning: Double
    public var hardLimit: Double

    public init(ratios: [Double] = [0.5, 0.8, 0.95, 1.0], warning: Double = 0.8, hardLimit: Double = 1.0) {
        self.ratios = Array(Set(ratios + [hardLimit])).sorted()
        self.warning = warning
        self.hardLimit = hardLimit
    }

    /// The level of a crossed threshold.
    public func level(of threshold: Double) -> UsageLevel {
        if threshold >= hardLimit { return .limit }
        if threshold > warning { return .urgent }
        if threshold >= warning { return .warning }
        return .info
    }

    /// The thresholds a usage ratio has reached.
    public func crossed(by ratio: Double) -> [Double] {
        ratios.filter { ratio >= $0 }
    }
}
