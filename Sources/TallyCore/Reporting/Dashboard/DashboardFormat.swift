import Foundation

/// How the dashboard writes numbers: grouped digits, money in its currency's decimals with its code, and
/// percentages with one decimal; never a float's rounding noise.
enum DashboardFormat {
    /// `12,345` / `-1,200`.
    static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func count(_ value: Int) -> String { count(Int64(value)) }

    /// `1,234.56 USD`, `3,700 JPY`.
    static func money(_ minorUnits: Int64, _ currency: String) -> String {
        CurrencyFormat(currency: currency).displayText(minorUnits: minorUnits)
    }

    /// `87.9 %` for 0.879.
    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f %%", fraction * 100)
    }

    /// A latency: `12.5 ms`.
    static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }

    /// Axis labels: `0`, `1.5k`, `2.3M`.
    static func compact(_ value: Double) -> String {
        switch value {
        case 1_000_000...: String(format: "%.1fM", value / 1_000_000)
        case 1_000...: String(format: "%.1fk", value / 1_000)
        default: String(Int(value.rounded()))
        }
    }
}
