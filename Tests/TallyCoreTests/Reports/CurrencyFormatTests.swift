import Testing
@testable import TallyCore

@Suite("Currency formats")
struct CurrencyFormatTests {
    @Test("formats minor units as exact decimal text with the currency's exponent", arguments: [
        ("USD", Int64(123_456), "1234.56"), ("usd", 5, "0.05"), ("USD", -5, "-0.05"), ("USD", 0, "0.00"),
        ("EUR", 100, "1.00"), ("EUR", -123_456_789, "-1234567.89"),
        ("JPY", 500, "500"), ("jpy", -7, "-7"), ("KRW", 1_000_000, "1000000"),
        ("KWD", 1234, "1.234"), ("KWD", 5, "0.005"), ("BHD", -1000, "-1.000"),
    ])
    func decimalText(currency: String, minorUnits: Int64, expected: String) {
        #expect(CurrencyFormat(currency: currency).decimalText(minorUnits: minorUnits) == expected)
    }

    @Test("formats the most extreme amounts without overflowing")
    func extremeAmounts() {
        #expect(CurrencyFormat(currency: "USD").decimalText(minorUnits: .min) == "-92233720368547758.08")
        #expect(CurrencyFormat(currency: "JPY").decimalText(minorUnits: .max) == "9223372036854775807")
    }

    @Test("gives each currency one Excel number format with its decimals")
    func excelFormats() {
        #expect(CurrencyFormat(currency: "usd").excelNumberFormat == "\"$\"#,##0.00")
        #expect(CurrencyFormat(currency: "JPY").excelNumberFormat == "\"¥\"#,##0")
        #expect(CurrencyFormat(currency: "EUR").excelNumberFormat == "#,##0.00 \"EUR\"")
        #expect(CurrencyFormat(currency: "KWD").excelNumberFormat == "#,##0.000 \"KWD\"")
        #expect(CurrencyFormat(currency: "XOF").excelNumberFormat == "#,##0 \"XOF\"")
    }

    @Test("treats every Stripe zero-decimal currency as exponent 0")
    func zeroDecimalCurrencies() {
        for code in ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
                     "XAF", "XOF", "XPF"] {
            #expect(CurrencyFormat(currency: code).exponent == 0, "\(code)")
        }
        #expect(CurrencyFormat(currency: "GBP").exponent == 2)
        #expect(CurrencyFormat(currency: "JOD").exponent == 3)
    }

    @Test("converts minor units to major units for Excel")
    func majorUnits() {
        #expect(CurrencyFormat(currency: "USD").majorUnits(minorUnits: 123_456) == 1234.56)
        #expect(CurrencyFormat(currency: "JPY").majorUnits(minorUnits: 500) == 500)
        #expect(CurrencyFormat(currency: "KWD").majorUnits(minorUnits: 1234) == 1.234)
    }

    @Test("an amount in a sentence groups its digits and keeps its exact decimals and code")
    func displayText() {
        #expect(CurrencyFormat(currency: "usd").displayText(minorUnits: 123_456) == "1,234.56 USD")
        #expect(CurrencyFormat(currency: "jpy").displayText(minorUnits: 104_827) == "104,827 JPY")
        #expect(CurrencyFormat(currency: "usd").displayText(minorUnits: -50) == "-0.50 USD")
        #expect(CurrencyFormat(currency: "kwd").displayText(minorUnits: -1_234_567) == "-1,234.567 KWD")
        #expect(CurrencyFormat(currency: "usd").displayText(minorUnits: 2_000) == "20.00 USD")
    }
}
