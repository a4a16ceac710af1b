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

/// Splits a byte stream into lines in linear time, refusing lines longer than a cap.
///
/// Only bytes not yet searched are scanned for a newline, and consumed bytes are dropped only once they are more
/// than half the buffer, so a megabyte line that arrives in small reads costs the same as one that arrives whole.
public struct LineSplitter: Sendable {
    /// Longest line accepted, in bytes without its newline; `loket engine` documents this limit.
    public static let defaultMaximumLineBytes = 1 << 20

    /// What the splitter found: a complete line, or a line that was too long and was skipped whole.
    public enum Piece: Equatable, Sendable {
        case line(ArraySlice<UInt8>)
        case tooLong(bytes: Int)
    }

    public let maximumLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    /// Bytes of an over-long line already thrown away; its end is still to come.
    private var discarded = 0

    public init(maximumLineBytes: Int = Self.defaultMaximumLineBytes) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Adds bytes and hands every line they complete to `body`, in order.
    public mutating func append(_ bytes: UnsafeRawBufferPointer, _ body: (Piece) throws -> Void) rethrows {
        buffer.append(contentsOf: bytes)
        try drain(body)
    }

    public mutating func append(_ bytes: [UInt8], _ body: (Piece) throws -> Void) rethrows {
        buffer.append(contentsOf: bytes)
        try drain(body)
    }

    /// At the end of input: the last line when it had no newline.
    public mutating func finish(_ body: (Piece) throws -> Void) rethrows {
        if discarded > 0 {
            try body(.tooLong(bytes: discarded + buffer.count - start))
        } else if start < buffer.count {
            try body(piece(start..<buffer.count))
        }
        buffer.removeAll()
        start = 0
        scanned = 0
        discarded = 0
    }

    private mutating func drain(_ body: (Piece) throws -> Void) rethrows {
        while let newline = nextNewline() {
            if discarded > 0 {
                let length = discarded + newline - start
                discarded = 0
                try body(.tooLong(bytes: length))
            } else {
                try body(piece(start..<newline))
            }
            start = newline + 1
            scanned = start
        }
        scanned = buffer.count
        if discarded + buffer.count - start > maximumLineBytes {
            // Keep nothing of a line that will be refused anyway: memory stays bounded by the cap.
            discarded += buffer.count - start
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        } else if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
    }

    private func nextNewline() -> Int? {
        guard scanned < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress,
                let found = memchr(base + scanned, 0x0A, buffer.count - scanned)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    private func piece(_ range: Range<Int>) -> Piece {
        range.count > maximumLineBytes ? .tooLong(bytes: range.count) : .line(buffer[range])
    }
}

/// How a run of `loket engine` over file descriptors ended.
public enum EngineStreamOutcome: Equatable, Sendable {
    /// Every input line was answered.
    case finished
    /// The reader of the output went away (a closed pipe): nothing more can be said, and nothing is wrong.
    case outputClosed
    case inputFailed(errno: Int32)
    case outputFailed(errno: Int32)
}

/// Buffered output to a file descriptor that reports errors instead of trapping.
public struct FileDescriptorOutput: Sendable {
    public let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Output waiting beyond this is written at once, whatever the input does.
    public var capacity = 64 * 1024

    public init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(capacity)
    }

    public var pendingBytes: Int { buffer.count }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    public mutating func append(byte: UInt8) { buffer.append(byte) }

    /// Lets `body` append bytes straight into the buffer.
    public mutating func append(_ body: (inout [UInt8]) -> Void) { body(&buffer) }

    /// Writes everything buffered; the errno of a failed write otherwise.
    public mutating func flush() -> Int32? {
        defer { buffer.removeAll(keepingCapacity: true) }
        return Self.writeAll(buffer, to: descriptor)
    }

    /// Writes all bytes, retrying after interruptions and short writes; the errno of a failure.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw -> Int32? in
            guard var pointer = raw.baseAddress else { return nil }
            var remaining = raw.count
            while remaining > 0 {
                let written = write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&waiting, 1, -1)
                        continue
                    }
                    return errno
                }
                if written == 0 { return EIO }
                pointer += written
                remaining -= written
            }
            return nil
        }
    }
}

extension EngineSession {
    /// Size of each read from the input; large enough that a long line takes few system calls.
    public static let readChunkBytes = 64 * 1024

    /// Answers every line of `input` on `output`, exactly one line per line, until the end of input.
    ///
    /// Output is buffered and written when no more input is waiting, so a bridge that writes one line and waits
    /// gets its answer at once while a batch costs one write per buffer instead of one per line.
    public mutating func run(
        input: Int32, output outputDescriptor: Int32, splitter: LineSplitter = LineSplitter(), now: () -> Date = Date.init
    ) -> EngineStreamOutcome {
        var splitter = splitter
        let limit = splitter.maximumLineBytes
        var output = FileDescriptorOutput(descriptor: outputDescriptor)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkBytes, alignment: 1)
        defer { chunk.deallocate() }
        func failed(_ code: Int32) -> EngineStreamOutcome { code == EPIPE ? .outputClosed : .outputFailed(errno: code) }

        while true {
            if output.pendingBytes > 0, !Self.inputWaiting(input) {
                if let code = output.flush() { return failed(code) }
            }
            let count = read(input, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                _ = output.flush()
                return .inputFailed(errno: code)
            }
            if count == 0 { break }
            var flushError: Int32?
            splitter.append(UnsafeRawBufferPointer(rebasing: chunk[0..<count])) { piece in
                guard flushError == nil else { return }
                answer(piece, limit: limit, into: &output, now: now)
                if output.pendingBytes >= output.capacity { flushError = output.flush() }
            }
            if let flushError { return failed(flushError) }
        }
        splitter.finish { piece in answer(piece, limit: limit, into: &output, now: now) }
        if let code = output.flush() { return failed(code) }
        return .finished
    }

    private mutating func answer(_ piece: LineSplitter.Piece, limit: Int, into output: inout FileDescriptorOutput, now: () -> Date) {
        switch piece {
        case .line(var bytes):
            if bytes.last == 0x0D { bytes.removeLast() }
            // Invalid UTF-8 is repaired with U+FFFD rather than refused: the rest of the message still counts.
            let line = String(decoding: bytes, as: UTF8.self)
            output.append { handle(line: line, now: now(), into: &$0) }
        case .tooLong(let length):
            output.append(refuse("line of \(length) bytes is longer than the limit of \(limit) bytes; skipped"))
        }
        output.append(byte: 0x0A)
    }

    /// Whether reading `descriptor` now would return at once (data, end of file or an error).
    static func inputWaiting(_ descriptor: Int32) -> Bool {
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&waiting, 1, 0) > 0
    }
}
