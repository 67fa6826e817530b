import Foundation

/// An inline SVG line chart: one polyline per series over shared x labels, a zero-based y axis with three
/// labelled ticks, and a legend. Pure text in, markup out; every label is HTML-escaped.
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        /// `nil` where there is no value: the line breaks there instead of dropping to zero.
        var values: [Double?]
    }

    var title: String
    var labels: [String]
    var series: [Series]
    var width = 720.0
    var height = 240.0

    static let gridColor = "#ddd"

    private let left = 64.0, right = 28.0, top = 12.0, bottom = 44.0

    func render() -> String {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maximum = max(1, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let step = labels.count > 1 ? plotWidth / Double(labels.count - 1) : 0
        func x(_ index: Int) -> Double { left + Double(index) * step }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / maximum) }
        var svg = #"<svg role="img" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))">"#
        svg += "<title>\(HTMLText.escape(title))</title>"
        for fraction in [0.0, 0.5, 1.0] {
            let tickY = y(maximum * fraction)
            svg += #"<line x1="\#(left)" x2="\#(width - right)" y1="\#(tickY)" y2="\#(tickY)" stroke="\#(Self.gridColor)"/>"#
            svg += #"<text x="\#(left - 6)" y="\#(tickY + 4)" text-anchor="end" font-size="11">\#(DashboardFormat.compact(maximum * fraction))</text>"#
        }
        // First, middle and last labels: enough to read the axis without crowding it.
        for index in Set([0, labels.count / 2, labels.count - 1]).sorted() where labels.indices.contains(index) {
            svg += #"<text x="\#(x(index))" y="\#(height - bottom + 16)" text-anchor="middle" font-size="11">\#(HTMLText.escape(labels[index]))</text>"#
        }
        for line in series {
            for run in Self.runs(of: line.values) {
                let points = run.map { "\(x($0.index)),\(y($0.value))" }.joined(separator: " ")
                svg += #"<polyline fill="none" stroke="\#(line.color)" stroke-width="2" points="\#(points)"/>"#
                // A lone point still shows.
                if run.count == 1 { svg += #"<circle cx="\#(x(run[0].index))" cy="\#(y(run[0].value))" r="2" fill="\#(line.color)"/>"# }
            }
        }
        var legendX = left
        for line in series {
            svg += #"<rect x="\#(legendX)" y="\#(height - 14)" width="10" height="10" fill="\#(line.color)"/>"#
            svg += #"<text x="\#(legendX + 14)" y="\#(height - 5)" font-size="11">\#(HTMLText.escape(line.name))</text>"#
            legendX += 24 + Double(line.name.count) * 7
        }
        return svg + "</svg>"
    }

    /// The stretches of consecutive values without a gap.
    static func runs(of values: [Double?]) -> [[(index: Int, value: Double)]] {
        var runs: [[(index: Int, value: Double)]] = [[]]
        for (index, value) in values.enumerated() {
            if let value { runs[runs.count - 1].append((index, value)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        return runs.filter { !$0.isEmpty }
    }
}
