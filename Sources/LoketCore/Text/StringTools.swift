#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif

// The few string operations Loket took from Foundation's NSString layer, written on the standard library: that
// layer brings CoreFoundation and ICU into every binary that uses it (about 50 MB of a static `loket` and 5 MB of
// the screen's resident memory). Each one behaves as the Foundation call it replaces did.

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Unicode space separators): Foundation's `.whitespaces`.
    public func trimmingWhitespace() -> String {
        trimming { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// Without leading and trailing white space and line breaks: Foundation's `.whitespacesAndNewlines`.
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming { scalar in
            switch scalar.value {
            case 0x09...0x0D, 0x85: true
            default:
                switch scalar.properties.generalCategory {
                case .spaceSeparator, .lineSeparator, .paragraphSeparator: true
                default: false
                }
            }
        }
    }

    /// Without leading and trailing scalars for which `isTrimmed` holds.
    public func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
            let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[first...last])
        return String(result)
    }

    /// Cut or padded with spaces to `length` UTF-16 code units, as `padding(toLength:withPad:" ",startingAt:0)`.
    public func padded(toLength length: Int) -> String {
        let count = utf16.count
        if count < length { return String(self) + String(repeating: " ", count: length - count) }
        if count == length { return String(self) }
        return String(decoding: Array(utf16.prefix(length)), as: Unicode.UTF16.self)
    }
}
