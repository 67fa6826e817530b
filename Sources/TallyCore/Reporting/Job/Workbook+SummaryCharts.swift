extension Workbook {
    /// Draws `charts` on the summary sheet and starts a printed page at each row of charts below the first,
    /// so no chart runs across a page break. A chart takes `FinanceReport.chartRows` rows, which fit one
    /// landscape page at any fit-to-width scale (fitting only ever shrinks the sheet).
    func placeSummaryCharts(_ charts: [ChartSpec], on summary: WorksheetWriter) throws {
        for chart in charts { try insertChart(chart, on: summary) }
        try summary.breakPages(beforeRows: Array(Set(charts.map(\.anchor.row)).sorted().dropFirst()))
    }
}
