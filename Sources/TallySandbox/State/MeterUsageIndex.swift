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
    }

    private var points: [String: [String: [Point]]] = [:]

    /// Inserts one event, keeping the order (appending is the common, O(1) case).
    mutating func insert(meter: String, customer: String, point: Point) {
        var series = points[meter, default: [:]][customer, default: []]
        points[meter, default: [:]][customer] = nil
        if let last = series.last, last.timestamp > point.timestamp {
            series.insert(point, at: Self.lowerBound(series, point.timestamp + 1))
        } else {
            series.append(point)
        }
        points[meter, default: [:]][customer] = series
    }

    /// Appends many events at once, sorting each touched series a single time.
    mutating func insertMany(_ batch: [(meter: String, customer: String, point: Point)]) {
        var touched: Set<[String]> = []
        for entry in batch {
            points[entry.meter, default: [:]][entry.customer, default: []].append(entry.point)
            touched.insert([entry.meter, entry.customer])
        }
        for key in touched {
            points[key[0]]?[key[1]]?.sort { $0.timestamp < $1.timestamp }
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

    /// Aggregates by `formula` (sum, count, last) over events visible at `visibleAt`; nil when none.
    static func aggregate(_ slice: ArraySlice<Point>, formula: String, visibleAt: Int64) -> Int64? {
        var result: Int64?
        for point in slice where !point.cancelled && point.receivedAt <= visibleAt {
            switch formula {
            case "count": result = (result ?? 0) + 1
            case "last": result = point.value
            default: result = (result ?? 0) + point.value
            }
        }
        return result
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
