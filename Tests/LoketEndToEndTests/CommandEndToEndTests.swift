import Foundation
import Testing

/// The commands without a screen, run as a shell would run them: redirections, closed descriptors, full disks.
@Suite("loket commands from a shell", .serialized)
struct CommandEndToEndTests {
    /// Runs `script` in bash with `$LOKET` set to the binary; the status and everything written (both streams).
    private func shell(_ script: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var variables = ["LOKET": try TmuxSession.loketBinary(), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        variables.merge(environment) { $1 }
        return try TmuxSession.spawn(["/bin/bash", "-c", script], environment: variables)
    }

    private let line = #"{"conversation":"c1","from":"citizen","text":"halo"}"#

    @Test func aFullDiskIsOneLineAndStatus74() throws {
        let result = try shell("echo '\(line)' | $LOKET engine > /dev/full")
        #expect(result.status == 74)
        #expect(result.output == "loket: gagal menulis ke keluaran standar: disk penuh\n")
    }

    @Test func closedOrUnreadableDescriptorsAreOneLineAndStatus74() throws {
        let closedOutput = try shell("echo '\(line)' | $LOKET engine >&-")
        #expect(closedOutput.status == 74)
        #expect(closedOutput.output == "loket: keluaran standar tertutup; tidak ada tempat untuk menulis\n")
        let closedInput = try shell("$LOKET engine <&-")
        #expect(closedInput.status == 74)
        #expect(closedInput.output == "loket engine: masukan standar tertutup; tidak ada yang bisa dibaca\n")
        let directory = try shell("$LOKET engine < /tmp")
        #expect(directory.status == 74)
        #expect(directory.output == "loket engine: gagal membaca masukan standar: itu sebuah folder, bukan berkas\n")
    }

    /// With SIGPIPE ignored the engine used to trap on the first write after `head` went away.
    @Test func aReaderThatGoesAwayIsAQuietCleanEnd() throws {
        let result = try shell("""
            trap '' PIPE
            input=$(mktemp)
            for i in $(seq 1 3000); do echo '\(line)'; done > "$input"
            $LOKET engine < "$input" | head -1 > /dev/null
            echo "status=${PIPESTATUS[0]}"
            rm -f "$input"
            """)
        #expect(result.output == "status=0\n")
    }

    @Test func scriptErrorsComeWithoutTheUsageText() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "[office]\nname = 99999999999999999999\n".write(to: folder.appendingPathComponent("kantor.toml"), atomically: true, encoding: .utf8)
        let result = try shell("$LOKET engine --script \(folder.path)/kantor.toml < /dev/null")
        #expect(result.status == 1)
        #expect(result.output.contains("kantor.toml:2: TOML syntax error: integer '99999999999999999999' is out of range"))
        #expect(!result.output.contains("USAGE"))
    }

    @Test(arguments: [
        ("train --arrival-every 0.000001", "--arrival-every harus antara 1 dan 3600"),
        ("train --warn-after 0", "--warn-after harus antara 1 dan 86400"),
        ("train --breach-after 1e9", "--breach-after harus antara 1 dan 86400"),
        ("train --citizens 100000", "--citizens harus antara 1 dan 1000"),
        ("train --shift 100h", "--shift harus antara 1s dan 12h"),
        ("engine --cross-validate 100000", "--cross-validate harus antara 2 dan "),
        ("engine --idle-expiry 1", "--idle-expiry harus antara 60 dan 2592000"),
        ("engine --max-conversations 0", "--max-conversations harus antara 1 dan 10000000"),
    ])
    func numericOptionsOutOfRangeAreRefused(arguments: String, message: String) throws {
        let result = try shell("$LOKET \(arguments) < /dev/null")
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
    }

    @Test func aHostileReportAndThemeNamesPrintNoEscapes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-e2e-\(UUID().uuidString)")
        let themes = folder.appendingPathComponent("loket/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = #"""
            {"started":"a","ended":"b","exam":false,"conversations":[{"citizen":"Budi\u001b]0;x\u0007\u001b[2J","outcome":"selesai",
            "replies":1,"firstResponse":1e300,"medianResponse":-1e30,"worstResponse":null,"score":null,"stages":[],"topTips":[]}],
            "total":{"conversations":1,"replies":1,"topTips":["\u001b[2J"]}}
            """#
        try report.write(to: folder.appendingPathComponent("r.json"), atomically: true, encoding: .utf8)
        let printed = try shell("$LOKET report \(folder.path)/r.json")
        #expect(printed.status == 0, "\(printed.output)")
        #expect(!printed.output.contains("\u{1B}") && !printed.output.contains("\u{07}"))
        #expect(printed.output.contains("| Budi\\]0;x\\[2J | selesai | 1 | > 100 hari | – | – |"))
        try "inherits = \"default\"\n".write(to: themes.appendingPathComponent("x\u{1B}[2Jy.toml"), atomically: true, encoding: .utf8)
        let listed = try shell("$LOKET themes", environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(!listed.output.contains("\u{1B}"))
        #expect(listed.output.contains("x[2Jy\t"))
    }
}
