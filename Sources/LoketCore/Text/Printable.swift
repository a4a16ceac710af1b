/// Text from files made safe to print on a terminal or into one Markdown table cell.
public enum Printable {
    /// The text without control characters (C0, DEL, C1) or bidirectional overrides, with line and tab breaks
    /// turned into spaces: text read from a file must not retitle or clear the terminal, move the cursor, reorder
    /// what is shown, or break a table row.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsCare) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029: result.append(" ")
            case _ where needsCare(scalar): continue
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    private static func needsCare(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
