import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GraphRec
import Testing
@testable import RecShell

/// Runs an outside tool; nil when it is not installed (found on PATH).
enum OutsideTool {
    static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Exit status and stderr of `tool arguments`.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)").path
    }
}

@Suite struct PlotRenderingTests {
    let losses = Chart(title: "training bpr loss per epoch", xLabel: "epoch", yLabel: "bpr loss",
                       series: [.init("gcn", values: (0..<15).map { 0.7 / Double($0 + 1) }),
                                .init("gat", values: (0..<12).map { 0.6 / Double($0 + 1) })])

    @Test func epochTicksAreWholeNumbersInsideTheRange() {
        for last in [2, 12, 15, 40, 200] {
            let ticks = AxisTicks((1...last).map(Double.init), integer: true)
            #expect(!ticks.values.isEmpty)
            #expect(ticks.values.allSatisfy { $0 == $0.rounded() && $0 >= 1 && $0 <= Double(last) }, "\(last): \(ticks.values)")
            #expect(ticks.values.allSatisfy { !ticks.label($0).contains(".") })
        }
        #expect(AxisTicks((1...15).map(Double.init), integer: true).values == [1, 5, 10, 15])
        let single = AxisTicks([1], integer: true)
        #expect(single.values == [0, 1, 2])
    }

    @Test func valueTicksAreRoundAndCoverTheData() {
        let ticks = AxisTicks([0.213, 0.35, 0.692], integer: false)
        #expect(ticks.low <= 0.213 && ticks.high >= 0.692)
        #expect(ticks.values.count >= 3 && ticks.values.count <= 8)
        #expect(ticks.values.map(ticks.label) == ticks.values.map { Value.fixed($0, decimals: 1) })
    }

    @Test func svgPanelsParseAsXMLWithMarkersAndDashes() throws {
        let other = Chart(title: "training als objective per epoch", xLabel: "epoch", yLabel: "als objective",
                          series: [.init("als", values: [2.9, 2.6, 2.5])])
        let svg = SVGWriter.render(panels: [losses, other])
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.components(separatedBy: "<g transform=").count == 3)
        #expect(svg.contains("height=\"800\""))
        #expect(svg.contains("<circle") && svg.contains("stroke-dasharray"))  // gcn: circles; gat: dashed with squares
        #expect(!svg.contains(">4.5<") && !svg.contains(">11.5<"))
        #expect(svg.contains(">5</text>") && svg.contains(">15</text>"))
    }

    @Test func terminalSeriesHaveTheirOwnGlyphWithoutColour() {
        let text = TerminalChart.render(losses, width: 40, height: 8, style: .plain)
        #expect(text.contains("o gcn") && text.contains("x gat"))
        let rows = text.split(separator: "\n").filter { $0.contains("┤") }
        #expect(rows.contains { $0.contains("o") } && rows.contains { $0.contains("x") })
    }

    @Test func svgRendersToANonBlankPNG() throws {
        guard let rsvg = OutsideTool.path("rsvg-convert") else {
            print("skipped: rsvg-convert is not installed (Debian: apt-get install librsvg2-bin)")
            return
        }
        let blank = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"800\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/></svg>\n"
        var sizes: [Int] = []
        for (name, svg) in [("blank", blank), ("chart", SVGWriter.render(panels: [losses, losses]))] {
            let input = OutsideTool.temporaryPath("\(name).svg"), output = OutsideTool.temporaryPath("\(name).png")
            defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
            try svg.write(toFile: input, atomically: true, encoding: .utf8)
            let run = try OutsideTool.run(rsvg, ["-o", output, input])
            #expect(run.status == 0, "\(run.stderr)")
            let png = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            sizes.append(png.count)
        }
        // A white page compresses to almost nothing; lines, markers and text do not.
        #expect(sizes[1] > 8 * sizes[0], "\(sizes)")
    }
}

@Suite struct NotebookExportTests {
    /// A command with one of each block kind, so the notebook needs no data set.
    static let demo = CommandSpec(
        name: "demo", group: "Test", summary: "fields, a table and a chart", example: "demo",
        handler: { _, _, _ in
            let table = Table(name: "rows", title: "two <rows>", columns: [.init("model"), .init("ndcg", .number(decimals: 3))],
                              rows: [[.string("gcn & co"), .double(0.2981)], [.string("pop"), .double(0.1)]])
            let chart = Chart(title: "loss", xLabel: "epoch", yLabel: "bpr loss", series: [.init("gcn", values: [0.7, 0.5, 0.4])])
            return CommandResult(command: "demo", blocks: [.fields([("users", .int(943))]), .table(table), .chart(chart)])
        })

    @Test func scriptBecomesAValidNotebook() throws {
        let h = Harness(extra: [Self.demo])
        let notebook = OutsideTool.temporaryPath("tour.ipynb"), script = OutsideTool.temporaryPath("tour.recsh")
        defer { try? FileManager.default.removeItem(atPath: notebook); try? FileManager.default.removeItem(atPath: script) }
        try """
            # 1. The first step.
            #    Look at the table.
            demo

            # 2. Again.
            demo
            export notebook "\(notebook)"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(h.shell.runScript(path: script), "\(h.err)")

        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: notebook))) as? [String: Any])
        #expect(json["nbformat"] as? Int == 4)
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(cells.map { $0["cell_type"] as? String ?? "" } == ["markdown", "markdown", "code", "markdown", "code"])
        func source(_ cell: [String: Any]) -> String { (cell["source"] as? [String] ?? []).joined() }
        #expect(source(cells[1]) == "1. The first step.\nLook at the table.")
        #expect(source(cells[2]) == "demo" && cells[2]["execution_count"] as? Int == 1)
        #expect(source(cells[3]) == "2. Again.")

        let outputs = try #require(cells[2]["outputs"] as? [[String: Any]])
        #expect(outputs.count == 3)
        let bundles = outputs.map { $0["data"] as? [String: [String]] ?? [:] }
        #expect(bundles[0]["text/plain"]?.joined().contains("943") == true)
        let html = bundles[1]["text/html"]?.joined() ?? ""
        #expect(html.contains("<caption>two &lt;rows&gt;</caption>") && html.contains("<td>gcn &amp; co</td>"))
        #expect(html.contains("<td style=\"text-align: right\">0.298</td>"))
        let svg = try #require(bundles[2]["image/svg+xml"]?.joined())
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(bundles[2]["text/plain"]?.joined().contains("o gcn") == true)

        try validateWithNbformat(notebook)
    }

    @Test func emptySessionOrWrongExtensionIsAnErrorAndWritesNothing() {
        let h = Harness(format: .json)
        let path = OutsideTool.temporaryPath("empty.ipynb")
        #expect(!h.shell.run(line: "export notebook \"\(path)\""))
        #expect((h.objects.last?["error"] as? String)?.contains("nothing to export yet") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!h.shell.run(line: "export notebook \"\(path).json\""))
        #expect((h.objects.last?["error"] as? String)?.contains("use .ipynb") == true)
    }

    @Test func transcriptReadBackFromMarkdownKeepsItsText() throws {
        let entries = Transcript.entries(fromMarkdown: "# heading\n\nload ml-100k\n\n```text\nusers 943\n```\n")
        let data = try NotebookWriter.notebook(entries, heading: "restored", version: "test")
        let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try #require(json["cells"] as? [[String: Any]])
        let outputs = try #require(cells.last?["outputs"] as? [[String: Any]])
        #expect(outputs.first?["output_type"] as? String == "stream")
        #expect((outputs.first?["text"] as? [String])?.joined() == "users 943")
    }

    /// Python's reference validator; skipped with a reason only where python3 or nbformat is missing.
    func validateWithNbformat(_ path: String) throws {
        guard let python = OutsideTool.path("python3") else {
            print("skipped nbformat validation: python3 is not installed")
            return
        }
        guard try OutsideTool.run(python, ["-c", "import nbformat"]).status == 0 else {
            print("skipped nbformat validation: the nbformat module is missing (pip install nbformat)")
            return
        }
        let check = "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))"
        let run = try OutsideTool.run(python, ["-c", check, path])
        #expect(run.status == 0, "\(run.stderr)")
        // Jupyter's converter reads it too (no kernel: nothing is executed).
        guard try OutsideTool.run(python, ["-c", "import nbconvert"]).status == 0 else {
            print("skipped nbconvert conversion: the nbconvert module is missing (pip install nbconvert)")
            return
        }
        let out = OutsideTool.temporaryPath("notebook-md")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let convert = try OutsideTool.run(python, ["-m", "nbconvert", "--to", "markdown", "--output-dir", out, path])
        #expect(convert.status == 0, "\(convert.stderr)")
        let converted = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(converted.contains { $0.hasSuffix(".md") }, "nbconvert wrote \(converted)")
    }
}

/// Loss curves and metrics grouped so that unlike numbers never share an axis.
@Suite(.serialized, .enabled(if: ShellTestData.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct PlotGroupingTests {
    @Test func lossChartsPerLossKindAndMetricsPerEvaluationSet() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train als iterations=2 factors=8; train lightgcn epochs=2 dim=8"), "\(h.out)")
        let path = OutsideTool.temporaryPath("loss.svg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(h.shell.run(line: "plot loss svg=\"\(path)\""))
        let charts = try #require(h.objects.last?["charts"] as? [[String: Any]])
        let titles = charts.map { $0["title"] as? String ?? "" }
        #expect(titles.contains("training als objective per epoch") && titles.contains("training bpr loss per epoch"))
        for chart in charts {
            let names = (chart["series"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(!(names.contains("als") && names.contains("lightgcn")), "\(titles)")
        }
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.components(separatedBy: "<g transform=").count == charts.count + 1)

        #expect(h.shell.run(line: "eval als; eval lightgcn on=val"))
        let text = Harness(format: .table)
        text.shell.session = h.shell.session
        text.shell.session.settings.format = .table
        #expect(text.shell.run(line: "plot metrics"))
        #expect(text.out.contains("last metrics on test@10") && text.out.contains("last metrics on val@10"))
    }
}
