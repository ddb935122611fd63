/// recsh's version, shown by `--version`, the banner and saved sessions.
public enum RecshVersion {
    public static let string = "0.1.0"
}
