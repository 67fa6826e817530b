/// Meter events per meter and customer, sorted by timestamp, so a summary is two binary searches and a
/// scan of the events in range (never a scan of every event ever sent).
struct MeterUsageIndex: Sendable {
    /// A compact stored event; the identifier is kept to find it again for cancellation.
    struct Point: Sendable {
        var timestamp: Int64
        var value: Int64
        var receivedAt: Int64
        var identifier: String
        var cancelled: Bool
        /// Arrival order (set on insert): breaks ties between events received in the same second.
        var sequence: Int64 = 0

        /// Whether `self` arrived after `other`.
        func receivedAfter(_ other: Point) -> Bool {
            (receivedAt, sequence) > (other.receivedAt, other.sequence)
        }

        /// Whether `self` is later than `other` for `last`: the later timestamp, then the later arrival.
        func laterThan(_ other: Point) -> Bool {
            (timestamp, receivedAt, sequence) > (other.timestamp, other.receivedAt, other.sequence)
        }
    }

    private var points: [String: [String: [Point]]] = [:]
    private var nextSequence: Int64 = 0

    /// Inserts one event, keeping the order (appending is the common, O(1) case).
    mutating func insert(meter: String, customer: String, point: Point) {
        var point = point
        nextSequence += 1
        point.sequence = nextSequence
        var series = points[meter, default: [:]][customer, default: []]
        points[meter, default: [:]][customer] = nil
        if let last = series.last, last.timestamp > point.timestamp {
            series.insert(point, at: Self.lowerBound(series, point.timestamp + 1))
        } else {
            series.append(point)
        }
        points[meter, default: [:]][customer] = series
    }

    /// Appends many events at once (arriving in `batch` order), sorting each touched series a single time.
    mutating func insertMany(_ batch: [(meter: String, customer: String, point: Point)]) {
        var touched: Set<[String]> = []
        for entry in batch {
            var point = entry.point
            nextSequence += 1
            point.sequence = nextSequence
            points[entry.meter, default: [:]][entry.customer, default: []].append(point)
            touched.insert([entry.meter, entry.customer])
        }
        for key in touched {
            points[key[0]]?[key[1]]?.sort { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }
        }
    }

    /// Marks the event with `identifier` at `timestamp` as cancelled; false if absent.
    mutating func cancel(meter: String, customer: String, timestamp: Int64, identifier: String) -> Bool {
        guard let series = points[meter]?[customer] else { return false }
        var index = Self.lowerBound(series, timestamp)
        while index < series.count, series[index].timestamp == timestamp {
            if series[index].identifier == identifier, !series[index].cancelled {
                points[meter]?[customer]?[index].cancelled = true
                return true
            }
            index += 1
        }
        return false
    }

    /// Events of `customer` on `meter` with start <= timestamp < end, oldest first.
    func points(meter: String, customer: String, from start: Int64, to end: Int64) -> ArraySlice<Point> {
        guard let series = points[meter]?[customer] else { return [] }
        return series[Self.lowerBound(series, start)..<Self.lowerBound(series, end)]
    }

    /// Every customer with events on `meter`.
    func customers(meter: String) -> [String] { points[meter].map { Array($0.keys) } ?? [] }

    /// The usage of `customer` on `meter` with start <= timestamp < end, by `formula`, over the events
    /// visible at `visibleAt`; nil when none counts.
    ///
    /// A pre-aggregated meter (`eventTimeWindow` `hour` or `day`) keeps only the most recent event
    /// *received* in each UTC-aligned window of event timestamps: a newer one overwrites the window
    /// (docs.stripe.com, "Record usage for billing", Event ingestion). The survivor of a window is chosen
    /// over the whole window, then counted where its timestamp lies, so summaries of adjacent ranges add up.
    func aggregate(meter: String, customer: String, from start: Int64, to end: Int64, formula: String,
                   eventTimeWindow: String?, visibleAt: Int64) -> Int64? {
        guard let step = Self.windowLength(eventTimeWindow) else {
            return Self.aggregate(points(meter: meter, customer: customer, from: start, to: end), formula: formula,
                                  visibleAt: visibleAt)
        }
        let outer = points(meter: meter, customer: customer, from: Self.floor(start, step),
                           to: Self.floor(end - 1, step) + step)
        var survivors: [Int64: Point] = [:]
        for point in outer where !point.cancelled && point.receivedAt <= visibleAt {
            let window = Self.floor(point.timestamp, step)
            if let current = survivors[window], !point.receivedAfter(current) { continue }
            survivors[window] = point
        }
        let counted = survivors.values.filter { start <= $0.timestamp && $0.timestamp < end }
        return Self.aggregate(counted[...], formula: formula, visibleAt: visibleAt)
    }

    /// Aggregates by `formula` (sum, count, last) over the events visible at `visibleAt`; nil when none.
    /// `last` is the value of the event with the latest timestamp; of two at one instant, the later received.
    static func aggregate<Points: Collection<Point>>(_ slice: Points, formula: String, visibleAt: Int64) -> Int64? {
        var result: Int64?
        var latest: Point?
        for point in slice where !point.cancelled && point.receivedAt <= visibleAt {
            switch formula {
            case "count": result = (result ?? 0) + 1
            case "last":
                if latest.map(point.laterThan) ?? true {
                    latest = point
                    result = point.value
                }
            default: result = (result ?? 0) + point.value
            }
        }
        return result
    }

    /// The length in seconds of a pre-aggregation window; nil for a raw meter.
    static func windowLength(_ eventTimeWindow: String?) -> Int64? {
        switch eventTimeWindow {
        case "hour": 3_600
        case "day": 86_400
        default: nil
        }
    }

    private static func floor(_ timestamp: Int64, _ step: Int64) -> Int64 {
        let remainder = timestamp % step
        return remainder < 0 ? timestamp - remainder - step : timestamp - remainder
    }

    private static func lowerBound(_ series: [Point], _ timestamp: Int64) -> Int {
        var low = 0
        var high = series.count
        while low < high {
            let middle = (low + high) / 2
            if series[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
