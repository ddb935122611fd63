import Testing
@testable import RecShell

/// Fitting output into a width: text shortened before numbers, prose
/// wrapped, the record view for what cannot fit, word-boundary wrapping.
@Suite struct WidthTests {
    static let table = Table(name: "items", title: "top 2 for user 1", columns: [
        .init("#", .integer), .init("movie", .integer), .init("title"), .init("score", .number(decimals: 4)),
    ], rows: [
        [.int(1), .int(50), .string("Star Wars (1977)"), .double(0.98765)],
        [.int(2), .int(1467), .string("Saint of Fort Washington, The (1993) and a very long subtitle"), .double(0.5)],
    ])

    static func render(_ table: Table, width: Int?, expanded: Expanded = .auto, box: Bool = false) -> String {
        TableRenderer.renderTable(table, options: Renderer.Options(style: TextStyle(box: box, color: false),
                                                                    width: width, expanded: expanded))
    }

    @Test func wideEnoughTablesAreUnchanged() {
        #expect(Self.render(Self.table, width: 200) == Self.render(Self.table, width: nil))
    }

    @Test func titlesAreShortenedBeforeNumbers() {
        for box in [false, true] {
            let text = Self.render(Self.table, width: 50, box: box)
            for line in text.split(separator: "\n") { #expect(line.count <= 50, "\(line)") }
            #expect(text.contains("…"))
            #expect(text.contains("0.9877") && text.contains("1467"))
            #expect(text.contains("Star Wars (1977)"))
        }
    }

    @Test func tooNarrowSwitchesToRecords() {
        let text = Self.render(Self.table, width: 24)
        #expect(text.contains("-[ RECORD 1 ]"))
        #expect(text.contains("title | Star Wars (1977)"))
        #expect(text.contains("score | 0.9877"))
        for line in text.split(separator: "\n") { #expect(line.count <= 24, "\(line)") }
        // expanded=off never switches; on always does.
        #expect(!Self.render(Self.table, width: 24, expanded: .off).contains("RECORD"))
        #expect(Self.render(Self.table, width: nil, expanded: .on).contains("-[ RECORD 2 ]"))
    }

    @Test func proseColumnsWrapInsteadOfBeingCut() {
        let t = Table(columns: [.init("option"), .init("meaning", wraps: true)], rows: [
            [.string("epochs=N"), .string("how many passes over the training edges the trainer makes")],
        ])
        let text = Self.render(t, width: 40)
        #expect(!text.contains("…"))
        #expect(text.contains("how many passes"))
        #expect(text.contains("makes"))
        for line in text.split(separator: "\n") { #expect(line.count <= 40, "\(line)") }
    }

    @Test func textWrapsAtWordBoundaries() {
        let lines = TextWrap.lines("the quick brown fox jumps over the lazy dog", width: 12)
        #expect(lines == ["the quick", "brown fox", "jumps over", "the lazy dog"])
        #expect(TextWrap.lines("  aligned  second column text here", width: 24, indent: 11)
            == ["  aligned  second column", "           text here"])
        #expect(TextWrap.shortened("Star Wars (1977)", to: 8) == "Star Wa…")
        #expect(TextWrap.lines("short", width: 80) == ["short"])
    }

    @Test func helpFitsEightyColumns() {
        let registry = CommandRegistry.standard
        let options = Renderer.Options(style: .plain, width: 80)
        for result in [Help.overview(registry)] + registry.specs.map(Help.command) {
            let text = TableRenderer.render(result, options: options)
            for line in text.split(separator: "\n") { #expect(line.count <= 80, "\(result.command): \(line)") }
        }
    }

    @Test func markdownResultsEndWithABlankLine() {
        let result = CommandResult(command: "t", blocks: [.table(Self.table)])
        let out = Renderer.render(result, format: .markdown, style: .plain).stdout
        #expect(out.hasSuffix("|\n\n"))
    }
}
