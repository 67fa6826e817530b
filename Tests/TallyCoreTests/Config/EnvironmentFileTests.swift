import Testing
@testable import TallyCore

@Suite("Env files are read the way systemd's EnvironmentFile= and dotenv read them")
struct EnvironmentFileTests {
    @Test("each convention gives the value a person means", arguments: [
        ("KEY=plain", "plain"),
        ("KEY=\"sk_live_quoted\"", "sk_live_quoted"),
        ("KEY='sk_live_single'", "sk_live_single"),
        ("export KEY=exported", "exported"),
        ("export KEY=\"exported and quoted\"", "exported and quoted"),
        ("KEY=value  # a comment", "value"),
        ("KEY=value\t# a comment after a tab", "value"),
        ("KEY=\"value # kept inside quotes\"  # comment", "value # kept inside quotes"),
        ("KEY=pass#word", "pass#word"),
        ("  KEY = spaced  ", "spaced"),
        ("KEY=", ""),
        ("KEY=\"a \\\"quote\\\" and \\\\ and \\$HOME\"", "a \"quote\" and \\ and $HOME"),
        ("KEY=\"keeps \\n as written\"", "keeps \\n as written"),
        ("KEY='no $escapes \\ here'", "no $escapes \\ here"),
        ("KEY=windows\r", "windows"),
    ])
    func convention(line: String, value: String) {
        let file = EnvironmentFile.parse(line + "\n")
        #expect(file.values == ["KEY": value])
        #expect(file.unparsedLines.isEmpty)
    }

    @Test("blank lines and # or ; comments are skipped; a later assignment wins")
    func commentsAndBlanks() {
        let file = EnvironmentFile.parse("""
            # Tally settings

            ; an old-style comment
            STRIPE_METER_ID=mtr_first
               # indented comment
            STRIPE_METER_ID=mtr_second
            """)
        #expect(file.values == ["STRIPE_METER_ID": "mtr_second"])
        #expect(file.assignments.map(\.line) == [4, 6])
        #expect(file.unparsedLines.isEmpty)
    }

    @Test("a file saved with Windows line endings reads the same")
    func windowsLineEndings() {
        let file = EnvironmentFile.parse("# Tally\r\nA=\"one\"\r\nB=two  # comment\r\n")
        #expect(file.values == ["A": "one", "B": "two"])
        #expect(file.assignments.map(\.line) == [2, 3])
        #expect(file.unparsedLines.isEmpty)
    }

    @Test("quoted values may span lines; a backslash before the break joins them in double quotes")
    func multiLine() {
        let file = EnvironmentFile.parse("A=\"one\ntwo\"\nB='x\ny'\nC=\"joined \\\nhere\"\nD=after\n")
        #expect(file.values == ["A": "one\ntwo", "B": "x\ny", "C": "joined here", "D": "after"])
        #expect(file.assignments.map(\.line) == [1, 3, 5, 7])
    }

    @Test("lines that are not assignments are reported by number, never by their text")
    func unparsedLines() {
        let file = EnvironmentFile.parse("""
            STRIPE_METER_ID mtr_123
            this is garbage
            not a name=1
            GOOD=yes
            QUOTED="value" trailing
            OPEN="never closed
            """)
        #expect(file.unparsedLines == [
            .init(line: 1, reason: .noEquals(firstWord: "STRIPE_METER_ID")),
            .init(line: 2, reason: .noEquals(firstWord: "this")),
            .init(line: 3, reason: .badName("not a name")),
            .init(line: 5, reason: .textAfterQuote(key: "QUOTED")),
            .init(line: 6, reason: .unclosedQuote),
        ])
        #expect(file.values == ["GOOD": "yes", "QUOTED": "value"])
    }
}
