import Foundation

/// An inline SVG horizontal bar chart: one labelled bar per item, scaled to the largest (or to `scale`
/// when bars are fractions of a whole, such as usage against a plan), its value written beside it.
struct SVGBarChart {
    struct Bar {
        var label: String
        var value: Double
        /// The text written after the bar (a formatted amount or percentage).
        var text: String
        var color = "#4e79a7"
    }

    var title: String
    var bars: [Bar]
    /// The value a full-width bar stands for; the largest bar's when `nil`.
    var scale: Double?
    var width = 720.0

    private let labelWidth = 200.0, textWidth = 140.0, rowHeight = 24.0

    func render() -> String {
        let height = max(rowHeight, Double(bars.count) * rowHeight) + 8
        let full = max(scale ?? bars.map(\.value).max() ?? 1, 1e-9)
        let barSpace = width - labelWidth - textWidth
        var svg = #"<svg role="img" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))">"#
        svg += "<title>\(HTMLText.escape(title))</title>"
        for (index, bar) in bars.enumerated() {
            let top = 4 + Double(index) * rowHeight
            let length = max(0, min(1.2, bar.value / full)) * barSpace / 1.2
            svg += #"<text x="\#(labelWidth - 8)" y="\#(top + 15)" text-anchor="end" font-size="12">\#(HTMLText.escape(Self.cut(bar.label)))</text>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(top + 3)" width="\#(length)" height="\#(rowHeight - 8)" fill="\#(bar.color)"/>"#
            svg += #"<text x="\#(labelWidth + length + 6)" y="\#(top + 15)" font-size="12">\#(HTMLText.escape(bar.text))</text>"#
        }
        return svg + "</svg>"
    }

    /// Long names are cut so the bars keep their room.
    static func cut(_ label: String) -> String { label.count > 28 ? String(label.prefix(27)) + "…" : label }
}
