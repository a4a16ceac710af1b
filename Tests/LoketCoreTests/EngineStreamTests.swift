import Foundation
import Testing

@testable import LoketCore

/// `loket engine` over real file descriptors: lines, limits, closed pipes and failing output.
@Suite("loket engine streams")
struct EngineStreamTests {
    let engine: Engine

    init() throws {
        engine = try Fixtures.engine()
        // A test that closes a pipe's reader must get EPIPE, not have the whole test process killed.
        signal(SIGPIPE, SIG_IGN)
    }

    private func pieces(_ chunks: [String], maximum: Int = 16) -> [String] {
        var splitter = LineSplitter(maximumLineBytes: maximum)
        var found: [String] = []
        let record = { (piece: LineSplitter.Piece) in
            switch piece {
            case .line(let bytes): found.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong(let count): found.append("<too long: \(count)>")
            }
        }
        for chunk in chunks { splitter.append(Array(chunk.utf8), record) }
        splitter.finish(record)
        return found
    }

    @Test func linesAcrossChunksAndAnUnterminatedLast() {
        #expect(pieces(["ab", "c\nde", "f\n\ngh"]) == ["abc", "def", "", "gh"])
    }

    @Test func anOverLongLineIsRefusedWholeAndTheNextIsRead() {
        // Over the cap in one chunk, across chunks, and at the very end without a newline.
        #expect(pieces(["0123456789abcdefXYZ\nok\n"]) == ["<too long: 19>", "ok"])
        #expect(pieces(["0123456789", "abcdef", "ghijk", "lmn\nok\n"]) == ["<too long: 24>", "ok"])
        #expect(pieces(["ok\n", "0123456789", "abcdefgh"]) == ["ok", "<too long: 18>"])
        // Exactly at the cap is still a line.
        #expect(pieces(["0123456789abcdef\n"]) == ["0123456789abcdef"])
    }

    /// Was quadratic: every 4 KiB read searched the whole pending buffer again (10 MB took 246 s). The bound is
    /// a hundred times what the linear reader needs, so only a return of the stall can fail it.
    @Test func aLongLineInSmallReadsIsReadInLinearTime() {
        var splitter = LineSplitter(maximumLineBytes: 64 << 20)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        var lengths: [Int] = []
        let started = ContinuousClock.now
        for _ in 0..<(8 << 20) / 4096 {
            splitter.append(chunk) { if case .line(let bytes) = $0 { lengths.append(bytes.count) } }
        }
        splitter.append([0x0A]) { if case .line(let bytes) = $0 { lengths.append(bytes.count) } }
        #expect(lengths == [8 << 20])
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    private func pipePair() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        return (fds[0], fds[1])
    }

    private func write(_ text: String, to descriptor: Int32) {
        #expect(FileDescriptorOutput.writeAll(Array(text.utf8), to: descriptor) == nil)
    }

    private func readAll(_ descriptor: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func everyLineIsAnsweredInOrderThroughPipes() {
        let input = pipePair()
        let output = pipePair()
        write(
            #"{"conversation":"a","from":"citizen","text":"mau urus nib"}"# + "\r\nnot json\n"
                + #"{"conversation":"a","from":"officer","text":"Silakan lampirkan dokumennya"}"#, to: input.write)
        close(input.write)
        var session = EngineSession(engine: engine)
        #expect(session.run(input: input.read, output: output.write) == .finished)
        close(output.write)
        let lines = readAll(output.read).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty, "three answers, each ending in a newline")
        #expect(lines[0].hasPrefix(#"{"conversation":"a","intent":"#))
        #expect(lines[1].hasPrefix(#"{"error":"line 2: not valid JSON"#))
        #expect(lines[2].hasPrefix(#"{"conversation":"a","kind":"#))
        close(input.read)
        close(output.read)
    }

    @Test func anOverLongLineGetsAnErrorLineAndTheNextLineIsAnswered() {
        let input = pipePair()
        let output = pipePair()
        var session = EngineSession(engine: engine)
        let writer = Thread {
            let long = #"{"conversation":"a","from":"citizen","text":""# + String(repeating: "x", count: 300) + "\"}\n"
            _ = FileDescriptorOutput.writeAll(Array((long + #"{"conversation":"a","from":"citizen","text":"halo"}"# + "\n").utf8), to: input.write)
            close(input.write)
        }
        writer.start()
        #expect(session.run(input: input.read, output: output.write, splitter: LineSplitter(maximumLineBytes: 100)) == .finished)
        close(output.write)
        let lines = readAll(output.read).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == #"{"error":"line 1: line of 347 bytes is longer than the limit of 100 bytes; skipped"}"#)
        #expect(lines.last?.hasPrefix(#"{"conversation":"a","intent":"greet""#) == true)
        close(input.read)
        close(output.read)
    }

    /// A bridge writes one line and waits: the answer must come before the input ends.
    @Test func anAnswerIsFlushedAsSoonAsNoMoreInputIsWaiting() async throws {
        let input = pipePair()
        let output = pipePair()
        let engine = self.engine
        let finished = Task.detached {
            var session = EngineSession(engine: engine)
            return session.run(input: input.read, output: output.write)
        }
        write(#"{"conversation":"a","from":"citizen","text":"halo"}"# + "\n", to: input.write)
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(output.read, &byte, 1) == 1 {
            if byte == 0x0A { break }
            answer.append(byte)
        }
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix(#"{"conversation":"a","intent":"greet""#))
        close(input.write)
        #expect(await finished.value == .finished)
        close(input.read)
        close(output.write)
        close(output.read)
    }

    @Test func aFullDiskIsAnOutputFailure() throws {
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        let input = pipePair()
        write(#"{"conversation":"a","from":"citizen","text":"halo"}"# + "\n", to: input.write)
        close(input.write)
        var session = EngineSession(engine: engine)
        #expect(session.run(input: input.read, output: full) == .outputFailed(errno: ENOSPC))
        close(full)
        close(input.read)
    }

    @Test func aReaderThatWentAwayIsAQuietEnd() {
        let input = pipePair()
        let output = pipePair()
        close(output.read)
        write(#"{"conversation":"a","from":"citizen","text":"halo"}"# + "\n", to: input.write)
        close(input.write)
        var session = EngineSession(engine: engine)
        #expect(session.run(input: input.read, output: output.write) == .outputClosed)
        close(output.write)
        close(input.read)
    }

    @Test func unreadableInputIsAnInputFailure() throws {
        let directory = open("/tmp", O_RDONLY)
        try #require(directory >= 0)
        let output = pipePair()
        var session = EngineSession(engine: engine)
        #expect(session.run(input: directory, output: output.write) == .inputFailed(errno: EISDIR))
        close(directory)
        // A descriptor that is not open at all.
        #expect(session.run(input: 987, output: output.write) == .inputFailed(errno: EBADF))
        close(output.write)
        close(output.read)
    }
}
