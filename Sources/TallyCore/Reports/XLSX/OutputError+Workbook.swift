extension OutputError {
    /// A workbook whose content breaks a rule of the format (a sheet name, Excel's row limit): no setting
    /// fixes that, so it is reported as a bug.
    static func invalidWorkbook(path: String, reason: String) -> OutputError {
        OutputError(path: path, reason: reason, kind: .invalidContent, settingKey: nil,
                    fix: "the report breaks a spreadsheet limit, please report this as a bug")
    }
}
