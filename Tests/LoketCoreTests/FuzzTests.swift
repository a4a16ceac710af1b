import Foundation
import Testing

@testable import LoketCore

/// Mutation fuzzing of the three readers that take outside input: the engine's JSON lines, TOML files and saved
/// shift reports. `swift test` (and so CI) runs a fixed, seeded number of inputs per reader; `scripts/fuzz.sh`
/// runs them for longer with fresh seeds. Inputs that once failed live in `Tests/FuzzRegressions/` and are replayed
/// first.
///
/// Libfuzzer (`-sanitize=fuzzer`) would need a target of its own in Package.swift per reader; a seeded mutator in
/// the test target finds the same kinds of failure (traps, stalls, broken invariants) without one.
@Suite("Fuzzing the readers", .serialized)
struct FuzzTests {
    /// Seconds to run each reader when `LOKET_FUZZ_SECONDS` is set (scripts/fuzz.sh); otherwise a fixed count.
    static let seconds = ProcessInfo.processInfo.environment["LOKET_FUZZ_SECONDS"].flatMap(Double.init)
    static let seed = ProcessInfo.processInfo.environment["LOKET_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x10CE7
    /// Outside the test target's folder, so SwiftPM does not take the inputs for undeclared resources.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzRegressions")
    /// Where the input being tried is kept, so a crash that ends the process leaves it for the script to save.
    static let current = ProcessInfo.processInfo.environment["LOKET_FUZZ_CURRENT"]

    /// Pieces that reach the readers' edge cases: nesting, escapes, numbers at their limits, control bytes.
    static let tokens: [[UInt8]] = [
        "[", "]", "{", "}", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", ",", ":", "=", ".", "\n", "\r\n", "\t",
        "[[", "]]", "'''", "\"\"\"", "#", "1e999", "-0", "01", "1.", ".5", "9223372036854775808", "-9223372036854775809",
        "0x", "nan", "inf", "true", "null", "\u{1B}[2J", "\u{7}", "\u{0}", "\u{85}", "\u{2028}", "é", "😀", "\u{FEFF}",
        String(repeating: "[", count: 70), String(repeating: "{a=", count: 70), String(repeating: "a.", count: 70),
    ].map { Array($0.utf8) }

    /// A small, fast, seedable generator (SplitMix64), so a failing run can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// FNV-1a: a hash that is the same in every run (Swift's `hashValue` is not), for seeds and file names.
    static func fnv(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    static func mutate(_ input: [UInt8], _ random: inout Generator, corpus: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1:
                bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: at)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                bytes.removeSubrange(min(at, end)..<end)
            case 3 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...32, using: &random))
                bytes.insert(contentsOf: Array(bytes[start..<end]), at: at)
            case 4:
                let other = corpus[Int.random(in: 0..<corpus.count, using: &random)]
                if !other.isEmpty {
                    let start = Int.random(in: 0..<other.count, using: &random)
                    bytes.insert(contentsOf: other[start..<min(other.count, start + 64)], at: at)
                }
            default:
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            }
        }
        return bytes
    }

    /// Runs `check` on the saved regressions for `name`, then on mutations of `corpus`; records the first input
    /// that breaks an invariant and saves it as a regression.
    static func fuzz(_ name: String, corpus: [[UInt8]], iterations: Int, _ check: ([UInt8]) -> String?) {
        let saved = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix(name + "-") }.sorted()
            .compactMap { FileManager.default.contents(atPath: folder.appendingPathComponent($0).path).map { [UInt8]($0) } }
        var random = Generator(state: seed ^ fnv(Array(name.utf8)))
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        var tried = 0
        var inputs = saved + corpus
        while true {
            let input: [UInt8]
            if !inputs.isEmpty {
                input = inputs.removeFirst()
            } else {
                if let deadline { if Date() >= deadline { break } } else if tried >= iterations { break }
                input = mutate(corpus[Int.random(in: 0..<corpus.count, using: &random)], &random, corpus: corpus)
            }
            tried += 1
            if let current { _ = FileManager.default.createFile(atPath: current, contents: Data(input)) }
            if let problem = check(input) {
                let file = folder.appendingPathComponent("\(name)-\(String(fnv(input), radix: 16)).bin")
                try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: file.path, contents: Data(input))
                Issue.record("\(name): \(problem) (input saved as \(file.lastPathComponent))")
                return
            }
        }
    }

    @Test func engineLines() throws {
        let engine = try Fixtures.engine()
        let corpus = [
            #"{"conversation":"c1","from":"citizen","text":"Saya mau perpanjang izin usaha","time":"2026-11-30T08:05:00+07:00"}"#,
            #"{"conversation":"c1","from":"officer","kind":"receipt","text":"Ini tanda terimanya \ud83d\ude4f"}"#,
            #"{"conversation":"c2","from":"citizen","text":"halo","name":"Budi","honorific":"Bapak","n":[1,-2.5e3,true,null,{}]}"#,
        ].map { Array($0.utf8) }
        var session = EngineSession(engine: engine)
        let now = Fixtures.mondayMorning
        Self.fuzz("json", corpus: corpus, iterations: 3_000) { input in
            let output = session.handle(line: String(decoding: input, as: UTF8.self), now: now)
            if output.contains("\n") { return "an answer of more than one line" }
            guard case .object(let members)? = JSON.parse(output) else { return "an answer that is not a JSON object" }
            guard let first = members.first?.0, first == "error" || first == "conversation" else {
                return "an answer without error or conversation"
            }
            return nil
        }
    }

    @Test func tomlFiles() throws {
        let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LoketUI/Themes")
        var corpus = try FileManager.default.contentsOfDirectory(atPath: themes.path).sorted()
            .compactMap { FileManager.default.contents(atPath: themes.appendingPathComponent($0).path).map { [UInt8]($0) } }
        corpus.append(Array("""
            [office]
            name = "PTSP"  # comment
            hours = { mon = [8, 15], fri = [8.5, 11.5] }
            [[service]]
            id = 'nib'
            aliases = ["nib", "oss"]
            a.b."c d" = 2026-12-01
            text = \"\"\"
            dua \\u00e9 baris\"\"\"
            """.utf8))
        Self.fuzz("toml", corpus: corpus, iterations: 2_000) { input in
            let text = String(decoding: input, as: UTF8.self)
            let lines = text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            do throws(TOMLSyntaxError) {
                _ = try TOMLParser.parse(text)
            } catch {
                if error.line < 1 || error.line > lines { return "an error at line \(error.line) of \(lines)" }
                if error.message.isEmpty { return "an error without a message" }
            }
            return nil
        }
    }

    @Test func savedReports() throws {
        let report = #"""
            {"started":"2026-11-30T01:00:00Z","ended":"2026-11-30T02:00:00Z","exam":false,"seed":7,
             "conversations":[{"citizen":"Budi","scenario":"reference","outcome":"selesai","replies":3,"firstResponse":12,
               "medianResponse":20.5,"worstResponse":61,"score":88,"stages":["salam","dokumen"],"complaintHandled":false,
               "topTips":["Sebutkan lama proses."]}],
             "total":{"conversations":1,"replies":3,"medianFirstResponse":12,"medianResponse":20.5,"worstResponse":61,
               "score":88,"topTips":["Sebutkan lama proses."]}}
            """#
        Self.fuzz("report", corpus: [Array(report.utf8)], iterations: 1_000) { input in
            guard let decoded = ShiftReport.decode(json: String(decoding: input, as: UTF8.self)) else { return nil }
            let markdown = decoded.markdown
            if markdown.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }) {
                return "control characters in the printed report"
            }
            let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| ---") }
            let cells = rows.suffix(decoded.conversations.count).map { $0.replacingOccurrences(of: "\\|", with: "").split(separator: "|").count }
            if cells.contains(where: { $0 != 8 }) { return "a conversation row without its eight cells" }
            return nil
        }
    }
}
