#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where shift reports are written and how, with failures that say in Indonesian what failed and where.
///
/// Written with system calls rather than `String.write(toFile:)`: Foundation's errors name the wrong cause
/// ("you don't have permission" for a full disk) and hide which of the two files was written.
public enum ReportFile {
    /// Why a report, or part of it, could not be written.
    public struct Failure: Error, Equatable, Sendable {
        /// The folder or file that could not be made.
        public var path: String
        public var errno: Int32
        public var isFolder: Bool
        /// Files written before the failure.
        public var written: [String]

        /// One line for the officer: what failed, where, why, and what was saved anyway.
        public var message: String {
            let reason = Catalogue.Command.reason(errno: errno)
            let what = isFolder ? Catalogue.Report.cannotCreateFolder(path, reason) : Catalogue.Report.cannotWrite(path, reason)
            return written.isEmpty ? what : what + " " + Catalogue.Report.partlySaved(written)
        }
    }

    /// The reports folder: `$XDG_DATA_HOME/loket/reports`, else under `$HOME/.local/share`, else under the home
    /// folder the user database names; nil when there is none of these (no guessing at a shared folder).
    public static func defaultDirectory(environment: [String: String], userHome: String? = userHomeDirectory()) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return "\(data)/loket/reports" }
        let home = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? userHome
        return home.map { "\($0)/.local/share/loket/reports" }
    }

    /// The current user's home folder from the user database.
    public static func userHomeDirectory() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        let path = String(cString: directory)
        return path.hasPrefix("/") ? path : nil
    }

    /// The two files' common path without extension: `--report FILE` (its `.md`/`.json` dropped) or a stamped
    /// name in `directory`.
    public static func base(explicit: String?, directory: String, started: String) -> String {
        if let explicit {
            return explicit.hasSuffix(".json") || explicit.hasSuffix(".md")
                ? String(explicit[..<(explicit.lastIndex(of: ".") ?? explicit.endIndex)]) : explicit
        }
        return "\(directory)/laporan-\(started.filter { $0.isNumber }.prefix(14))"
    }

    /// Makes `path` and its missing parents, like `mkdir -p`.
    public static func createDirectory(_ path: String) throws(Failure) {
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 { continue }
            let code = errno
            var status = stat()
            if code == EEXIST, stat(prefix, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR { continue }
            throw Failure(path: prefix, errno: code, isFolder: true, written: [])
        }
    }

    /// Writes the Markdown, then the JSON; returns both paths, or what failed and what was written before.
    public static func save(_ report: ShiftReport, base: String) -> Result<[String], Failure> {
        var written: [String] = []
        for (path, text) in [(base + ".md", report.markdown), (base + ".json", report.json)] {
            if let code = write(text, to: path) {
                return .failure(Failure(path: path, errno: code, isFolder: false, written: written))
            }
            written.append(path)
        }
        return .success(written)
    }

    /// Writes a whole file through a temporary one renamed into place, so a failure never leaves half a report
    /// under the real name; the errno of the failure. Something that is not a regular file (`/dev/stdout`, a
    /// pipe) is written directly: a rename would replace it.
    public static func write(_ text: String, to path: String) -> Int32? {
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            if (status.st_mode & S_IFMT) == S_IFDIR { return EISDIR }
            let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard descriptor >= 0 else { return errno }
            var failure = FileDescriptorOutput.writeAll(Array(text.utf8), to: descriptor)
            if close(descriptor) != 0, failure == nil { failure = errno }
            return failure
        }
        let temporary = "\(path).tmp\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return errno }
        var failure = FileDescriptorOutput.writeAll(Array(text.utf8), to: descriptor)
        if failure == nil, fsync(descriptor) != 0, errno != EINVAL { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        if failure == nil, rename(temporary, path) != 0 { failure = errno }
        if failure != nil { unlink(temporary) }
        return failure
    }
}
