import Foundation
import Testing

/// The screen against signals, failing disks, a non-UTF-8 locale and long pastes.
@Suite("loket in a terminal, under stress", .serialized)
struct ScreenHardeningEndToEndTests {
    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Starts loket through a shell that records its process id first.
    private func startRecordingPID(_ tmux: TmuxSession, _ arguments: String, pidFile: String) throws {
        try tmux.send(literal: "sh -c 'echo $$ > \(pidFile); exec \(tmux.binary) \(arguments)'; echo \"EXIT=$?\"")
        try tmux.send(keys: "Enter")
    }

    private func pid(_ file: String) throws -> pid_t {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw E2EError(message: "no pid in \(file)")
    }

    @Test(arguments: [(SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGINT, "SIGINT")])
    func aTerminatingSignalSavesTheReportAndRestoresTheTerminal(signal: Int32, name: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tmux = try TmuxSession(width: 100, height: 30)
        try startRecordingPID(tmux, "--seed 2 --report \(folder.path)/shift", pidFile: folder.path + "/pid")
        try tmux.waitFor("Antrian (1)")
        kill(try pid(folder.path + "/pid"), signal)
        // Bash drops the rest of a command line whose command died of SIGINT, so the end is the closing line;
        // long paths wrap at the pane's edge, so lines are joined before looking.
        let screen = try tmux.waitFor("Sesi latihan selesai", timeout: 10).replacingOccurrences(of: "\n", with: "")
        #expect(signal == SIGINT || screen.contains("EXIT=\(128 + signal)"))
        #expect(screen.contains("loket: sesi dihentikan oleh sinyal \(name)."))
        #expect(screen.contains("Laporan tersimpan: \(folder.path)/shift.md dan \(folder.path)/shift.json"))
        #expect(!screen.contains("Antrian"), "the alternate screen is gone")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/shift.json"))
    }

    /// SIGUSR1 had no handler and left the terminal raw on the alternate screen.
    @Test func anyFatalSignalRestoresTheTerminal() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tmux = try TmuxSession(width: 100, height: 30)
        try startRecordingPID(tmux, "--seed 2", pidFile: folder.path + "/pid")
        try tmux.waitFor("Antrian (1)")
        kill(try pid(folder.path + "/pid"), SIGUSR1)
        let screen = try tmux.waitFor("EXIT=\(128 + SIGUSR1)", timeout: 10)
        #expect(!screen.contains("Antrian"))
        // The terminal is cooked again: typed text echoes at the prompt.
        try tmux.send(literal: "echo masih-hidup")
        try tmux.send(keys: "Enter")
        try tmux.waitFor("\nmasih-hidup")
    }

    /// A full disk under --log killed the screen and the report with it.
    @Test func aLogThatCannotBeWrittenStopsLoggingNotTheShift() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tmux = try TmuxSession(width: 100, height: 30)
        try tmux.start("--seed 2 --log /dev/full --report \(folder.path)/shift")
        try tmux.waitFor("Antrian (1)")
        try tmux.send(literal: "halo")
        try tmux.waitFor("> halo")
        try tmux.send(keys: "C-u", "F10")
        try tmux.waitFor("Laporan Sesi Latihan Loket", timeout: 10)
        try tmux.send(keys: "Enter")
        let screen = try tmux.waitFor("EXIT=0", timeout: 10)
        #expect(screen.contains("loket: log debug ke /dev/full dihentikan (disk penuh); sesi tetap berjalan sampai selesai."))
        #expect(FileManager.default.fileExists(atPath: folder.path + "/shift.md"))
    }

    /// A report that cannot be written said so in English and exited 0; now Indonesian, status 1, report printed.
    @Test func anUnwritableReportIsPrintedInsteadAndTheStatusSaysSo() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "bukan folder".write(to: folder.appendingPathComponent("data"), atomically: true, encoding: .utf8)
        let tmux = try TmuxSession(width: 100, height: 40, environment: ["XDG_DATA_HOME": folder.path + "/data"])
        try tmux.start("--seed 2")
        try tmux.waitFor("Antrian (1)")
        try tmux.send(keys: "F10")
        try tmux.waitFor("Laporan Sesi Latihan Loket", timeout: 10)
        try tmux.send(keys: "Enter")
        let screen = try tmux.waitFor("EXIT=1", timeout: 10).replacingOccurrences(of: "\n", with: "")
        #expect(screen.contains("laporan tidak dapat disimpan: folder \(folder.path)/data tidak dapat dibuat (sudah ada berkas dengan nama itu)."))
        #expect(screen.contains("loket: laporan dicetak ke keluaran standar agar tidak hilang."))
        #expect(screen.contains("## Ringkasan"))
    }

    /// LANG=C started without a word: box drawing came out as "~T~@" and a paste with é and an emoji was lost.
    @Test func aCLocaleStillReadsAndDrawsUTF8() throws {
        let tmux = try TmuxSession(width: 100, height: 30, environment: ["LANG": "C", "LC_ALL": "C"])
        try tmux.start("--seed 2")
        try tmux.waitFor("┌ Antrian (1)")
        try tmux.send(literal: "é done😀 more")
        try tmux.waitFor("> é done😀 more")
    }

    @Test func aMissingThemeIsSaidOnTheStatusLineAtOnce() throws {
        let tmux = try TmuxSession(width: 100, height: 30)
        try tmux.start("--seed 2 --theme nosuch")
        try tmux.waitFor("Tema 'nosuch' tidak dapat dipakai; memakai tema default.")
    }

    /// A 20,000-character paste froze the screen for a minute.
    @Test func aLongPasteShowsQuickly() throws {
        let tmux = try TmuxSession(width: 100, height: 30)
        try tmux.start("--seed 2")
        try tmux.waitFor("Antrian (1)")
        let paste = String(repeating: "mohon bantuannya ", count: 1_176) + "SELESAI"
        // Through a tmux paste buffer: send-keys refuses a command this long.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("loket-paste-\(UUID().uuidString)")
        try paste.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try tmux.run(["load-buffer", file.path])
        try tmux.run(["paste-buffer", "-t", "e2e"])
        try tmux.waitFor("SELESAI", timeout: 20)
    }
}
