/// Text made safe to print: characters a terminal would act on or that
/// reorder or hide what follows (C0 and C1 controls, DEL, bidirectional
/// overrides and other format characters, line and paragraph separators)
/// are written as `\u{XXXX}`, so a name like "a\u{202E}gnp.exe" cannot
/// disguise itself or an error message.
public enum VisibleText {
    /// True for a scalar that must not reach a terminal raw.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// `text` with every invisible scalar escaped; newlines and tabs stay when `keepingLayout`.
    public static func escaped(_ text: String, keepingLayout: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isInvisible) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) && !(keepingLayout && (scalar == "\n" || scalar == "\t")) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
