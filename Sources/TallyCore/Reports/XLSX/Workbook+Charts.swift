import CXLSXWriter

extension Workbook {
    /// Draws a native chart on `sheet` at `chart.anchor`, its series referencing sheet ranges.
    public func insertChart(_ chart: ChartSpec, on sheet: WorksheetWriter) throws {
        let type = switch chart.kind {
        case .line: LXW_CHART_LINE
        case .column: LXW_CHART_COLUMN
        case .bar: LXW_CHART_BAR
        }
        guard let handle = workbook_add_chart(handle, UInt8(type.rawValue)) else {
            throw OutputError.reportsDirectory(path: path, reason: "libxlsxwriter could not create chart \"\(chart.title)\"")
        }
        chart_title_set_name(handle, retained(literal(chart.title)))
        // libxlsxwriter names axes by direction: a bar chart's categories run down its vertical (y) axis.
        let categoryAxis = chart.kind == .bar ? handle.pointee.y_axis : handle.pointee.x_axis
        let valueAxis = chart.kind == .bar ? handle.pointee.x_axis : handle.pointee.y_axis
        if let title = chart.categoryAxisTitle { chart_axis_set_name(categoryAxis, retained(literal(title))) }
        if let title = chart.valueAxisTitle { chart_axis_set_name(valueAxis, retained(literal(title))) }
        // libxlsxwriter 1.1 writes no `<c:dateAx>`: a category axis over date cells shows their serials
        // unless it carries its own date format (`<c:numFmt formatCode="d mmm" sourceLinked="0"/>`).
        if let format = chart.categoryFormat { chart_axis_set_num_format(categoryAxis, retained(format)) }
        if let format = chart.valueFormat { chart_axis_set_num_format(valueAxis, retained(format)) }
        chart_legend_set_position(handle, UInt8(LXW_CHART_LEGEND_BOTTOM.rawValue))
        for series in chart.series {
            guard let added = chart_add_series(handle, nil, nil) else {
                throw OutputError.reportsDirectory(path: path, reason: "libxlsxwriter could not add series \"\(series.name)\"")
            }
            let categories = chart.categories
            chart_series_set_categories(
                added, retained(categories.sheet), row(categories.first), column(categories.first),
                row(categories.last), column(categories.last))
            chart_series_set_values(
                added, retained(series.values.sheet), row(series.values.first), column(series.values.first),
                row(series.values.last), column(series.values.last))
            chart_series_set_name(added, retained(literal(series.name)))
        }
        var placement = lxw_chart_options()
        placement.x_scale = chart.scale
        placement.y_scale = chart.scale
        placement.x_offset = 10
        placement.y_offset = 10
        try check(
            worksheet_insert_chart_opt(
                sheet.handle, row(chart.anchor), column(chart.anchor), handle, &placement),
            doing: "placing chart \"\(chart.title)\" on sheet \"\(sheet.name)\"")
    }
}
