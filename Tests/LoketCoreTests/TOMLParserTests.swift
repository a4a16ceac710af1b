import Testing

@testable import LoketCore

@Suite("TOML parser")
struct TOMLParserTests {
    @Test func parsesScalarsTablesAndArrays() throws {
        let text = """
            # comment
            title = "Loket"   # trailing comment
            count = 1_000
            ratio = 0.25
            enabled = true
            day = 2026-12-01
            [office]
            name = 'literal \\n stays'
            hours = "Senin\\tJumat \\u00e9"
            [office.contact]
            phone = "0812"
            [[service]]
            id = "nib"
            aliases = ["nib", "oss",
                "nomor induk berusaha", # comment inside an array
            ]
            [[service]]
            id = "pbg"
            point = { x = 1, y = "dua" }
            """
        let root = try TOMLParser.parse(text)
        #expect(root["title"]?.string == "Loket")
        #expect(root["count"]?.integer == 1000)
        #expect(root["ratio"]?.double == 0.25)
        #expect(root["enabled"]?.boolean == true)
        #expect(root["day"]?.kind == .date(year: 2026, month: 12, day: 1))
        #expect(root["office"]?.table?["name"]?.string == "literal \\n stays")
        #expect(root["office"]?.table?["hours"]?.string == "Senin\tJumat é")
        #expect(root["office"]?.table?["contact"]?.table?["phone"]?.string == "0812")
        let services = try #require(root["service"]?.array)
        #expect(services.count == 2)
        #expect(services[0].table?["aliases"]?.array?.compactMap(\.string) == ["nib", "oss", "nomor induk berusaha"])
        #expect(services[1].table?["point"]?.table?["y"]?.string == "dua")
        #expect(services[1].line == 17)
        #expect(root["office"]?.table?["hours"]?.line == 9)
    }

    @Test func parsesMultilineStringsAndDottedKeys() throws {
        let root = try TOMLParser.parse("""
            a.b.c = 1
            text = \"\"\"
            satu
            dua\"\"\"
            raw = '''
            C:\\path'''
            after = true
            """)
        #expect(root["a"]?.table?["b"]?.table?["c"]?.integer == 1)
        #expect(root["text"]?.string == "satu\ndua")
        #expect(root["raw"]?.string == "C:\\path")
        #expect(root["after"]?.line == 7)
    }

    @Test(arguments: [
        ("name = \"open\nnext = 1", 1, "unterminated string"),
        ("a = 1\na = 2", 2, "defined twice"),
        ("ok = 1\n\nvalue = maybe", 3, "not a valid value"),
        ("[t]\nx = 1\n[t]", 3, "defined twice"),
        ("list = [1, 2", 1, "expected ',' or ']'"),
        ("key value", 1, "expected '='"),
        ("x = 1 y = 2", 1, "end of the line"),
    ])
    func reportsSyntaxErrorsWithTheirLine(text: String, line: Int, message: String) {
        #expect {
            try TOMLParser.parse(text)
        } throws: { error in
            guard let error = error as? TOMLSyntaxError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }
}
