/// How human-readable output may decorate itself: box drawing and colour
/// only on a terminal, colour never under NO_COLOR.
public struct TextStyle: Sendable, Equatable {
    public var box: Bool
    public var color: Bool

    public static let plain = TextStyle(box: false, color: false)

    func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    func red(_ s: String) -> String { color ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    func cyan(_ s: String) -> String { color ? "\u{1B}[36m\(s)\u{1B}[0m" : s }
    /// One of a few distinguishable colours, for chart series.
    func series(_ index: Int, _ s: String) -> String {
        guard color else { return s }
        let codes = [36, 33, 35, 32, 34, 31]
        return "\u{1B}[\(codes[index % codes.count])m\(s)\u{1B}[0m"
    }
}

extension String {
    /// Columns the text takes in a terminal (one per character; wide CJK is rare in MovieLens).
    var displayWidth: Int { count }

    func padded(to width: Int, right: Bool) -> String {
        let gap = max(0, width - displayWidth)
        let pad = String(repeating: " ", count: gap)
        return right ? pad + self : self + pad
    }
}
