import Foundation

extension UTCCalendarText {
    /// The Excel serial date (days since 1899-12-30, the 1900 date system) of an instant.
    static func excelSerial(_ date: Date) -> Double {
        date.timeIntervalSince1970 / 86_400 + 25_569
    }

    /// The Excel serial of the UTC midnight starting the day containing `date`.
    static func excelSerialDay(_ date: Date) -> Double {
        (date.timeIntervalSince1970 / 86_400).rounded(.down) + 25_569
    }
}
