import Foundation
import Testing

@testable import LoketCore

/// What LoketCore does itself so the `loket` binary links no Foundation NSString layer, CoreFoundation or ICU: each
/// replacement gives what the Foundation call it replaces gave.
@Suite("Without ICU")
struct FootprintTests {
    /// The fold table against Foundation's folding, for every letter the normaliser may meet.
    @Test func foldTableMatchesFoundationForEveryLetter() {
        var mismatches: [String] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic else { continue }
            let text = String(scalar).folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            var expected: Unicode.Scalar?
            if let first = text.unicodeScalars.first, text.unicodeScalars.count == 1 {
                expected = first
                if first.isASCII {
                    switch first.value {
                    case 0x61...0x7A, 0x30...0x39: expected = first
                    case 0x41...0x5A: expected = Unicode.Scalar(first.value + 32)
                    default: expected = nil
                    }
                }
            }
            if Normalizer.folded(scalar) != expected, mismatches.count < 10 {
                mismatches.append(String(value, radix: 16))
            }
        }
        #expect(mismatches.isEmpty, "scripts/generate-fold-table.swift is out of date for U+\(mismatches)")
    }

    /// As Foundation folded them: "ß" folds to "ss", two letters for one, so it breaks the word as before.
    @Test func accentedWordsNormaliseAsBefore() {
        let normalizer = Normalizer(slang: [:])
        #expect(normalizer.normalize("Café ÉCOLE naïve Straße İstanbul").tokens
            == ["cafe", "ecole", "naive", "stra", "e", "istanbul"])
    }

    /// Offsets from the zoneinfo files against Foundation's (ICU) time zones, hourly steps across decades, for
    /// zones with and without daylight saving time on both hemispheres.
    @Test(arguments: [
        "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Pontianak", "Europe/Amsterdam", "America/New_York",
        "Australia/Sydney", "America/Santiago", "Asia/Kolkata", "UTC",
    ])
    func zoneOffsetsMatchFoundation(identifier: String) throws {
        let ours = try #require(OfficeTimeZone(identifier: identifier))
        let theirs = try #require(TimeZone(identifier: identifier))
        var instant = 0.0  // 1970
        var mismatches: [String] = []
        while instant < 4_102_444_800 {  // 2100
            let date = Date(timeIntervalSince1970: instant)
            if ours.secondsFromGMT(for: date) != theirs.secondsFromGMT(for: date), mismatches.count < 5 {
                mismatches.append("\(date): \(ours.secondsFromGMT(for: date)) ≠ \(theirs.secondsFromGMT(for: date))")
            }
            instant += 3_607 * 7
        }
        #expect(mismatches.isEmpty, "\(identifier): \(mismatches)")
        #expect(ours.identifier == identifier)
    }

    @Test func unknownAndMaliciousZoneNamesAreRefused() {
        for name in ["Asia/Atlantis", "", "../../etc/passwd", "/etc/passwd", "Asia//Jakarta", "Asia/Jakarta\u{0}"] {
            #expect(OfficeTimeZone(identifier: name) == nil, "\(name)")
        }
    }

    @Test(arguments: [
        ("WIB-7", 1_796_000_400, 25_200), ("<+0530>-5:30", 0, 19_800),
        ("CET-1CEST,M3.5.0,M10.5.0/3", 1_782_000_000, 7_200), ("CET-1CEST,M3.5.0,M10.5.0/3", 1_796_000_400, 3_600),
        ("AEST-10AEDT,M10.1.0,M4.1.0/3", 1_782_000_000, 36_000), ("AEST-10AEDT,M10.1.0,M4.1.0/3", 1_796_000_400, 39_600),
    ])
    func posixRules(rule: String, instant: Int64, offset: Int) throws {
        #expect(try #require(PosixRule(rule)).offset(at: instant) == offset)
    }

    /// The bundled files are built into the binary from the files in the repository; the two must not drift.
    @Test(arguments: [
        ("default-script.toml", BundledFiles.defaultScript), ("scenarios.toml", BundledFiles.scenarios),
        ("stories.toml", BundledFiles.stories),
    ])
    func bundledFilesMatchTheRepository(file: String, text: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let onDisk = try String(contentsOf: root.appendingPathComponent("Sources/LoketCore/Resources/\(file)"), encoding: .utf8)
        #expect(onDisk == text, "run scripts/embed-resources.sh after editing \(file)")
    }

    /// One plain `import Foundation` in any module `loket` links brings the NSString layer, CoreFoundation and ICU
    /// back (about 4 MB resident): every Foundation import there must prefer FoundationEssentials.
    @Test func loketsModulesImportFoundationEssentialsWhereTheyCan() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var unguarded: [String] = []
        for module in ["LoketCore", "LoketUI", "LoketTerminal", "LoketCLI", "loket"] {
            let folder = root.appendingPathComponent("Sources/\(module)")
            let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            #expect(!files.isEmpty, "no sources found in \(module)")
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                let importsFoundation = text.split(separator: "\n").contains { $0 == "import Foundation" }
                if importsFoundation && !text.contains("#if canImport(FoundationEssentials)") {
                    unguarded.append("\(module)/\(file.lastPathComponent)")
                }
            }
        }
        #expect(unguarded.isEmpty, "import FoundationEssentials (under #if canImport) in: \(unguarded)")
    }

    @Test func stringToolsTrimAndPadAsFoundationDid() {
        for text in ["  a b \t", "\u{3000}x\u{00A0}", "\n y \u{2029}", "", " \u{85}z\u{85} ", "é\u{301} "] {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(text.debugDescription)")
        }
        for (text, length) in [("abc", 5), ("abcdef", 3), ("Dimas", 5), ("é👍x", 2), ("é👍x", 6)] {
            #expect(text.padded(toLength: length) == text.padding(toLength: length, withPad: " ", startingAt: 0))
        }
    }
}
