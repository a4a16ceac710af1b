import Foundation
import Testing

@testable import LoketCore

/// Writing the shift report: every failure says in Indonesian what failed and where, and what was saved.
@Suite("shift report files")
struct ReportFileTests {
    static let report = ShiftReport(
        started: "2026-11-30T01:00:00Z", ended: "2026-11-30T02:00:00Z", seed: 1, exam: false, conversations: [],
        total: .init(conversations: 0, replies: 0, medianFirstResponse: nil, medianResponse: nil, worstResponse: nil,
                     score: nil, topTips: []))

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loket-report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func bothFilesAreWrittenAndNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ReportFile.createDirectory(folder + "/a/b")
        let result = ReportFile.save(Self.report, base: folder + "/a/b/laporan")
        #expect(try result.get() == [folder + "/a/b/laporan.md", folder + "/a/b/laporan.json"])
        #expect(ShiftReport.decode(json: try String(contentsOfFile: folder + "/a/b/laporan.json", encoding: .utf8)) == Self.report)
    }

    /// `XDG_DATA_HOME` pointing at a plain file: the folder cannot be made, and the message says which and why.
    @Test func aFolderThatIsAFileIsNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "x".write(toFile: folder + "/data", atomically: false, encoding: .utf8)
        let directory = try #require(ReportFile.defaultDirectory(environment: ["XDG_DATA_HOME": folder + "/data"]))
        #expect {
            try ReportFile.createDirectory(directory)
        } throws: { error in
            (error as? ReportFile.Failure)?.message
                == "loket: laporan tidak dapat disimpan: folder \(folder)/data tidak dapat dibuat (sudah ada berkas dengan nama itu)."
        }
    }

    /// On a full disk only the Markdown was written, but the message named both as saved.
    @Test func aPartlyWrittenReportSaysWhatWasSaved() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The JSON's name is taken by a folder, so only the Markdown can be written.
        try FileManager.default.createDirectory(atPath: folder + "/laporan.json", withIntermediateDirectories: false)
        let result = ReportFile.save(Self.report, base: folder + "/laporan")
        guard case .failure(let failure) = result else {
            Issue.record("saved: \(result)")
            return
        }
        #expect(failure.written == [folder + "/laporan.md"])
        #expect(failure.message == "loket: laporan tidak dapat disimpan ke \(folder)/laporan.json (itu sebuah folder, bukan berkas). "
            + "Yang sudah tersimpan: \(folder)/laporan.md.")
        #expect(!FileManager.default.fileExists(atPath: folder + "/laporan.json.tmp\(getpid())"), "no temporary file left")
    }

    /// A device is written into, never renamed over; a full one says the disk is full.
    @Test func aFullDiskIsSaidSo() throws {
        #expect(ReportFile.write("isi", to: "/dev/full") == ENOSPC)
        #expect(Catalogue.Command.reason(errno: ENOSPC) == "disk penuh")
        let failure = ReportFile.save(Self.report, base: "/dev/full/laporan")
        guard case .failure(let error) = failure else {
            Issue.record("saved")
            return
        }
        #expect(error.message == "loket: laporan tidak dapat disimpan ke /dev/full/laporan.md (sebagian jalurnya bukan folder).")
    }

    @Test func withoutHomeTheUserDatabaseDecidesNotTheTemporaryFolder() {
        #expect(ReportFile.defaultDirectory(environment: [:], userHome: "/home/petugas") == "/home/petugas/.local/share/loket/reports")
        #expect(ReportFile.defaultDirectory(environment: ["HOME": ""], userHome: nil) == nil)
        #expect(ReportFile.defaultDirectory(environment: ["HOME": "/h", "XDG_DATA_HOME": "relatif"]) == "/h/.local/share/loket/reports")
        #expect(ReportFile.defaultDirectory(environment: ["XDG_DATA_HOME": "/d"]) == "/d/loket/reports")
    }
}
