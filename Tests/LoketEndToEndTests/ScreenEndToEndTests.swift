import Foundation
import Testing

/// The real binary in tmux: what an officer or trainee sees and types.
@Suite("loket in a terminal", .serialized)
struct ScreenEndToEndTests {
    /// A screen line's input row: the line that starts with the prompt.
    private func inputLine(_ screen: String) -> String? {
        // capture-pane drops trailing spaces, so an empty input line is a bare ">".
        screen.split(separator: "\n").first { $0 == ">" || $0.hasPrefix("> ") }.map(String.init)
    }

    @Test func traineeShift() async throws {
        let tmux = try await TmuxSession(width: 100, height: 30)
        try await tmux.start("--seed 3 --arrival-every 8")
        // A citizen arrives and writes; the suggestion bar fills.
        try await tmux.waitFor("Antrian (1)", timeout: 40)
        try await tmux.waitFor(timeout: 30, "a citizen message and suggestions") { screen in
            screen.contains(" ▸ 1 ") && screen.split(separator: "\n").contains { $0.contains("││") && $0.contains(":") && $0.contains("  ") && !$0.contains("Anda") && $0.range(of: #"\d\d:\d\d \S"#, options: .regularExpression) != nil }
        }
        // Tab puts the first suggestion into the input line.
        try await tmux.send(keys: "Tab")
        let withSuggestion = try await tmux.waitFor(timeout: 10, "a suggestion in the input line") { (inputLine($0)?.count ?? 0) > 10 }
        let suggestion = try #require(inputLine(withSuggestion)).dropFirst(2).prefix(20)
        // Enter sends it: it shows in the transcript as the officer's line and the input line empties.
        try await tmux.send(keys: "Enter")
        try await tmux.waitFor(timeout: 10, "the sent reply in the transcript") { screen in
            screen.contains("Anda") && screen.contains(String(suggestion)) && inputLine(screen)?.trimmingCharacters(in: .whitespaces) == ">"
        }
        // The citizen answers: a citizen line appears below the officer's.
        try await tmux.waitFor(timeout: 40, "the citizen's answer") { screen in
            let lines = screen.split(separator: "\n").map(String.init)
            guard let officer = lines.lastIndex(where: { $0.contains("Anda") }) else { return false }
            return lines[(officer + 1)...].contains { $0.range(of: #"\d\d:\d\d (?!Anda)\S"#, options: .regularExpression) != nil }
        }
        // A second citizen; a draft in the first survives switching to it and back.
        try await tmux.waitFor(timeout: 40, "a second citizen") { $0.contains("Antrian (2)") || $0.contains("Antrian (3)") }
        try await tmux.send(literal: "draf untuk warga pertama")
        try await tmux.waitFor("> draf untuk warga pertama")
        try await tmux.send(keys: "C-n")
        try await tmux.waitFor(timeout: 10, "the other conversation") { inputLine($0)?.contains("draf untuk") == false }
        try await tmux.send(keys: "C-p")
        try await tmux.waitFor("> draf untuk warga pertama", timeout: 10)

        // Resizes: smaller, larger, too small, and back.
        try await tmux.resize(width: 60, height: 20)
        try await tmux.waitFor(timeout: 10, "a 60-column frame") { screen in
            screen.split(separator: "\n").first.map { $0.hasPrefix("┌ Antrian") && $0.count == 60 } ?? false
        }
        try await tmux.resize(width: 200, height: 60)
        try await tmux.waitFor(timeout: 10, "a 200-column frame") { screen in
            screen.split(separator: "\n").first.map { $0.hasPrefix("┌ Antrian") && $0.count == 200 } ?? false
        }
        try await tmux.resize(width: 40, height: 10)
        try await tmux.waitFor("Terminal terlalu kecil", timeout: 10)
        try await tmux.resize(width: 100, height: 30)
        try await tmux.waitFor(timeout: 10, "the screen back at 100 columns") { screen in
            !screen.contains("Terminal terlalu kecil") && screen.contains("> draf untuk warga pertama")
        }

        // F1 opens the help; Esc closes it.
        try await tmux.send(keys: "F1")
        try await tmux.waitFor("Ctrl-N / Ctrl-P", timeout: 10)
        try await tmux.send(keys: "Escape")
        try await tmux.waitFor(timeout: 10, "help closed") { !$0.contains("Ctrl-N / Ctrl-P") }

        // F10 asks first because a draft is unsent; y quits and the shell prompt is back.
        try await tmux.send(keys: "F10")
        try await tmux.waitFor("belum terkirim", timeout: 10)
        try await tmux.send(literal: "y")
        try await tmux.waitFor("Laporan Sesi Latihan Loket", timeout: 10)
        try await tmux.send(keys: "Enter")
        let after = try await tmux.waitFor("EXIT=0", timeout: 10)
        #expect(after.contains("PROMPT$"))
        #expect(after.contains("--seed 3"), "the closing line says how to replay the shift")
    }

    @Test func coachScoresRepliesAndTheShiftEndsWithAReport() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let tmux = try await TmuxSession(width: 100, height: 30, environment: ["XDG_DATA_HOME": data.path])
        try await tmux.start("--seed 3 --citizens 1")
        try await tmux.waitFor(timeout: 30, "a suggestion") { $0.contains(" ▸ 1 ") }
        // A good reply: the top suggestion.
        try await tmux.send(keys: "Tab")
        try await tmux.waitFor(timeout: 10, "the suggestion in the input line") { ($0.split(separator: "\n").first { $0.hasPrefix("> ") }?.count ?? 0) > 10 }
        try await tmux.send(keys: "Enter")
        let good = try await tmux.waitFor(timeout: 10, "the first score") { $0.contains("Pelatih  Skor") }
        let goodScore = try #require(Self.scores(in: good).last)
        #expect(goodScore >= 85)
        // A bad reply.
        try await tmux.send(literal: "tunggu saja")
        try await tmux.send(keys: "Enter")
        let bad = try await tmux.waitFor(timeout: 10, "the second score") { Self.scores(in: $0).count >= 2 }
        #expect((Self.scores(in: bad).last ?? 100) <= 40)
        #expect(bad.contains("Hindari \"tunggu saja\""))
        // F10 ends the shift: the report screen, then its files.
        try await tmux.send(keys: "F10")
        try await tmux.waitFor("Laporan Sesi Latihan Loket", timeout: 10)
        try await tmux.send(keys: "Enter")
        let closed = try await tmux.waitFor("EXIT=0", timeout: 10)
        #expect(closed.contains("Laporan tersimpan:"))
        let reports = data.appendingPathComponent("loket/reports")
        let files = try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted()
        #expect(files.count == 2 && files.contains { $0.hasSuffix(".md") })
        let json = reports.appendingPathComponent(try #require(files.first { $0.hasSuffix(".json") })).path
        let printed = try await TmuxSession.spawn([tmux.binary, "report", json], environment: ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        #expect(printed.status == 0)
        #expect(printed.output.hasPrefix("# Laporan Sesi Latihan Loket"))
        #expect(printed.output.contains("Budi Santoso"))
    }

    /// The coach scores shown in the transcript ("Pelatih  Skor 95 · …").
    static func scores(in screen: String) -> [Int] {
        screen.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "Pelatih  Skor ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test(arguments: [["TERM": "vt100"], ["TERM": "xterm-256color", "NO_COLOR": "1"], ["TERM": "screen"], ["TERM": "linux"]])
    func startsOnOtherTerminals(environment: [String: String]) async throws {
        let tmux = try await TmuxSession(width: 100, height: 30, environment: environment)
        try await tmux.start("--seed 1")
        try await tmux.waitFor("Antrian (1)")
        try await tmux.waitFor(timeout: 20, "the status bar") { $0.contains("F1 Bantuan") && $0.contains("WIB") }
        try await tmux.send(keys: "F10")
        try await tmux.waitFor("Laporan Sesi Latihan Loket", timeout: 10)
        try await tmux.send(keys: "Enter")
        try await tmux.waitFor("EXIT=0", timeout: 10)
    }

    @Test func dumbTerminalIsRefusedWithOneLine() async throws {
        let tmux = try await TmuxSession(width: 100, height: 30, environment: ["TERM": "dumb"])
        try await tmux.start("")
        let screen = try await tmux.waitFor("EXIT=2", timeout: 10)
        #expect(screen.contains("loket: terminal 'dumb' tidak dikenal atau tidak mendukung layar penuh"))
        #expect(!screen.contains("Antrian"))
    }

    @Test func unknownTerminalIsRefusedWithOneLine() async throws {
        let tmux = try await TmuxSession(width: 100, height: 30, environment: ["TERM": "no-such-terminal"])
        try await tmux.start("")
        let screen = try await tmux.waitFor("EXIT=2", timeout: 10)
        #expect(screen.contains("loket: terminal 'no-such-terminal' tidak dikenal"))
    }

    @Test func noTerminalIsRefusedWithOneLine() async throws {
        let result = try await TmuxSession.spawn(
            [try TmuxSession.loketBinary()], environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        #expect(result.status == 2)
        #expect(result.output.split(separator: "\n").count == 1)
        #expect(result.output.contains("butuh terminal interaktif"))
    }

    @Test func badThemeFallsBackToTheDefaultAndSaysWhich() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)")
        let themes = config.appendingPathComponent("loket/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        try "name = \"rusak\"\n[roles]\n\"queue.selected\" = { fg = \"ungu-muda\" }\n"
            .write(to: themes.appendingPathComponent("rusak.toml"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        let tmux = try await TmuxSession(width: 100, height: 30, environment: ["XDG_CONFIG_HOME": config.path])
        try await tmux.start("--theme rusak --seed 1")
        try await tmux.waitFor("Antrian (1)")
        try await tmux.send(keys: "F10")
        try await tmux.waitFor("Laporan Sesi Latihan Loket", timeout: 10)
        try await tmux.send(keys: "Escape")
        let screen = try await tmux.waitFor("EXIT=0", timeout: 10)
        #expect(screen.contains("rusak.toml:3: roles.queue.selected.fg: unknown colour 'ungu-muda'"))
    }
}
