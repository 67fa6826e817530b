import Foundation

/// Stripe API health from Tally's call log (5.2, 5.3): per endpoint and overall.
public struct APIHealth: Sendable, Equatable {
    /// Figures for one endpoint (`POST /v1/billing/meter_events`) or for all calls.
    public struct Endpoint: Sendable, Equatable {
        public var endpoint: String
        public var calls: Int64
        /// Calls with no response or a 4xx/5xx status.
        public var failures: Int64
        public var rateLimited: Int64
        /// Nearest-rank percentiles of the latencies, in milliseconds.
        public var p50Milliseconds: Double
        public var p95Milliseconds: Double
    }

    /// Endpoints sorted by name.
    public var endpoints: [Endpoint]
    public var overall: Endpoint
    /// Failed `POST /v1/billing/meter_events` calls: usage Stripe may not have received.
    public var failedMeterEventCalls: Int64

    public static func compute(from calls: [APICallRecord]) -> APIHealth {
        let grouped = Dictionary(grouping: calls) { "\($0.method) \(normalisedPath($0.path))" }
        let endpoints = grouped.keys.sorted().map { summarise(grouped[$0]!, as: $0) }
        let failedMeterEvents = calls.filter {
            $0.method == "POST" && $0.path.hasSuffix("/billing/meter_events") && isFailure($0)
        }.count
        return APIHealth(endpoints: endpoints, overall: summarise(calls, as: "All calls"),
                         failedMeterEventCalls: Int64(failedMeterEvents))
    }

    static func isFailure(_ call: APICallRecord) -> Bool { call.status == 0 || call.status >= 400 }

    static func summarise(_ calls: [APICallRecord], as name: String) -> Endpoint {
        let latencies = calls.map(\.latencyMilliseconds).sorted()
        return Endpoint(endpoint: name, calls: Int64(calls.count), failures: Int64(calls.filter(isFailure).count),
                        rateLimited: Int64(calls.filter(\.rateLimited).count),
                        p50Milliseconds: percentile(0.50, of: latencies), p95Milliseconds: percentile(0.95, of: latencies))
    }

    /// Nearest-rank percentile of sorted values (0 for none).
    static func percentile(_ fraction: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    /// Object ids (`in_123`, `mtr_9`) become `{id}`, so calls group by endpoint.
    static func normalisedPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            let parts = segment.split(separator: "_", maxSplits: 1)
            let looksLikeID = parts.count == 2 && parts[0].allSatisfy(\.isLowercase) && parts[1].count >= 3
                && parts[1].contains(where: \.isNumber)
            return looksLikeID ? "{id}" : String(segment)
        }.joined(separator: "/")
    }
}
