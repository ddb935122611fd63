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

    /// Real results of the commands whose tables are widest, at the widths
    /// people use, boxed (a terminal) and plain: every line fits, whether the
    /// table was narrowed or switched to the record view.
    @Test(.enabled(if: ShellTestData.available, "needs ML-100K (RECSH_TEST_DATA)"))
    func everyCommandFitsTheScreen() throws {
        for box in [true, false] {
            var environment = ShellEnvironment.plain
            environment.stdoutIsTerminal = box
            let shell = Shell(environment: environment)
            var out = ""
            shell.writeOut = { out += $0 }
            shell.writeErr = { _ in }
            #expect(shell.run(line: "load ml-100k path=\"\(ShellTestData.directory)\"; split warm; "
                                  + "train gcn epochs=1 hidden=16 dim=8; train gat epochs=1 hidden=16 dim=8; set timer=off"))
            let commands = ["eval", "recommend 1 why", "recommend 1 model=gat why", "recommend 1 model=gcn k=20",
                            "attention user 1", "attention movie 50 top=5", "similar 50", "models", "info", "user 1",
                            "movie 1", "find star", "help", "help train", "help recommend", "show", "plot loss"]
            for width in [60, 80, 100, 160] {
                #expect(shell.run(line: "set width=\(width)"))
                for command in commands {
                    out = ""
                    shell.run(line: command)
                    #expect(!out.isEmpty, "\(command)")
                    for line in out.split(separator: "\n") {
                        #expect(line.count <= width, "\(command) at \(width)\(box ? " boxed" : ""): \(line.count) wide: \(line)")
                    }
                }
            }
        }
    }

    @Test func recordViewFitsWithLongColumnNames() {
        let t = Table(columns: [.init("#", .integer), .init("attention paths: your movie > via user (path weight)", wraps: true)],
                      rows: [[.int(1), .string("Star Wars (1977) > user 13 (4.1e-05); Return of the Jedi (1983) > user 7 (2e-05)")]])
        let text = Self.render(t, width: 40, expanded: .on)
        #expect(text.contains("Star Wars"))
        for line in text.split(separator: "\n") { #expect(line.count <= 40, "\(line)") }
    }

    @Test func markdownResultsEndWithABlankLine() {
        let result = CommandResult(command: "t", blocks: [.table(Self.table)])
        let out = Renderer.render(result, format: .markdown, style: .plain).stdout
        #expect(out.hasSuffix("|\n\n"))
    }
}
