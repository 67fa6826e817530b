/// How a currency's amounts are written: its minor-unit exponent and its Excel number format.
///
/// Stripe sends every amount in the currency's minor unit; zero-decimal currencies (JPY, KRW, ...)
/// have no minor unit, so 500 means ¥500, while 500 USD cents mean $5.00.
public struct CurrencyFormat: Sendable, Hashable {
    /// The ISO 4217 code, upper case.
    public let code: String
    /// Digits after the decimal point: 0, 2 or 3.
    public let exponent: Int
    /// The Excel number format for amounts in this currency, e.g. `"$"#,##0.00`.
    public let excelNumberFormat: String

    /// The format for a currency code in any case (`"usd"`, `"JPY"`); unknown codes get 2 decimals.
    public init(currency: String) {
        let code = currency.uppercased()
        let exponent = Self.exponent(of: code)
        let number = exponent == 0 ? "#,##0" : "#,##0." + String(repeating: "0", count: exponent)
        self.code = code
        self.exponent = exponent
        if let symbol = Self.prefixSymbols[code] {
            excelNumberFormat = "\"\(symbol)\"\(number)"
        } else {
            excelNumberFormat = "\(number) \"\(code)\""
        }
    }

    /// The exact decimal text for an amount in minor units, e.g. `-1234.56`; no float is involved.
    public func decimalText(minorUnits: Int64) -> String {
        let sign = minorUnits < 0 ? "-" : ""
        let digits = String(minorUnits.magnitude)
        guard exponent > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -exponent)
        return sign + padded[..<split] + "." + padded[split...]
    }

    /// The amount as people read it in a sentence: digits grouped, the currency's decimals and its code, e.g.
    /// `1,234.56 USD`, `104,827 JPY`, `-0.50 USD`; exact, like `decimalText`.
    public func displayText(minorUnits: Int64) -> String {
        let text = decimalText(minorUnits: minorUnits)
        let unsigned = text.hasPrefix("-") ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", maxSplits: 1)
        let whole = String(parts[0])
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        let fraction = parts.count > 1 ? "." + parts[1] : ""
        return (minorUnits < 0 ? "-" : "") + grouped + fraction + " " + code
    }

    /// The amount in major units as Excel stores numbers (a double); exact for any realistic amount.
    public func majorUnits(minorUnits: Int64) -> Double {
        Double(minorUnits) / Self.powersOfTen[exponent]
    }

    /// Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal).
    public static let zeroDecimalCurrencies: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
        "XOF", "XPF",
    ]

    /// Currencies with three decimal places (Stripe's three-decimal currencies).
    public static let threeDecimalCurrencies: Set<String> = ["BHD", "JOD", "KWD", "OMR", "TND"]

    static func exponent(of code: String) -> Int {
        if zeroDecimalCurrencies.contains(code) { return 0 }
        if threeDecimalCurrencies.contains(code) { return 3 }
        return 2
    }

    /// Symbols finance reads unambiguously in front of the number; other currencies show their code after it.
    private static let prefixSymbols: [String: String] = ["USD": "$", "GBP": "£", "JPY": "¥"]
    private static let powersOfTen: [Double] = [1, 10, 100, 1000]
}
