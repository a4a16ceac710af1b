import Foundation
import Testing

@testable import LoketCore

/// `loket report` reads a file anyone can write: it must print it safely whatever it holds.
@Suite("shift report from a hostile file")
struct ReportHardeningTests {
    /// A report with impossible times and names and tips that carry terminal escapes and line breaks.
    static let hostile = #"""
        {"started":"2026-11-30T01:00:00Z\u001b[2J","ended":"2026-11-30T02:00:00Z","exam":false,"seed":1,
         "conversations":[{"citizen":"Budi\u001b]0;pwned\u0007\u001b[2J\nBaris | dua *tebal*","outcome":"selesai",
           "replies":2,"firstResponse":1e300,"medianResponse":-1e30,"worstResponse":-15,"score":80,
           "stages":["salam\r"],"topTips":["Tip \u009b31m merah"]}],
         "total":{"conversations":1,"replies":2,"medianFirstResponse":1e300,"medianResponse":-15,
           "worstResponse":8639999,"score":80,"topTips":["Tip \u001b[5m kedip"]}}
        """#

    @Test func impossibleTimesAndEscapesArePrintedSafely() throws {
        let report = try #require(ShiftReport.decode(json: Self.hostile))
        let markdown = report.markdown
        #expect(!markdown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        // Huge and negative times: no trap, no "-1:0-15".
        #expect(markdown.contains("| Median waktu balasan pertama | > 100 hari |"))
        #expect(markdown.contains("| Median waktu balas | – |"))
        #expect(markdown.contains("| Waktu balas terlama | 2399:59:59 |"))
        // The name stays in one table row with every cell; its pipe and stars are escaped.
        let row = try #require(markdown.split(separator: "\n").first { $0.contains("Budi") })
        #expect(row.hasPrefix(#"| Budi\]0;pwned\[2J Baris \| dua \*tebal\* | selesai | 2 | > 100 hari | – | – | 80 | salam  |"#))
        #expect(markdown.contains("1. Tip \\[5m kedip"))
    }

    @Test(arguments: [
        ("a\u{1B}[2Jb", "a[2Jb"), ("baris\ndua", "baris dua"), ("tab\there", "tab here"), ("\u{9B}31m", "31m"),
        ("kanan\u{202E}kiri", "kanankiri"), ("Sudah 🙏 é", "Sudah 🙏 é"), ("bel\u{07}", "bel"),
    ])
    func controlCharactersAreStripped(text: String, expected: String) {
        #expect(Printable.sanitized(text) == expected)
    }

    @Test(arguments: [(-15.0, "–"), (.nan, "–"), (.infinity, "–"), (1e300, "> 100 hari"), (75, "1:15"), (3725, "1:02:05")])
    func durations(seconds: Double, text: String) {
        #expect(Catalogue.duration(seconds) == text)
    }
}
