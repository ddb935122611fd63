import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import RecShell

@Suite struct RendererTests {
    let sample: CommandResult = {
        let table = Table(name: "results", columns: [.init("model"), .init("ndcg", .number(decimals: 3)), .init("users", .integer)],
                          rows: [["gcn", .double(0.31234), 943], ["pop, baseline", .double(0.1), 12]])
        return CommandResult(command: "eval", blocks: [.fields([("usersPerSecond", .double(1234.5))]), .table(table)])
    }()

    func parseJSON(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func jsonIsOneLineValidSnakeCase() throws {
        let line = JSONRenderer.render(sample)
        #expect(!line.contains("\n"))
        let object = try parseJSON(line)
        #expect(object["command"] as? String == "eval")
        #expect(object["ok"] as? Bool == true)
        #expect(object["users_per_second"] as? Double == 1234.5)
        let rows = try #require(object["results"] as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows[0]["ndcg"] as? Double == 0.31234)
        #expect(line.hasPrefix(#"{"command":"eval","ok":true,"#))
    }

    @Test func jsonFailureObject() throws {
        let line = JSONRenderer.render(.failure("x", "x: went \"wrong\"\nbadly"))
        #expect(!line.contains("\n"))
        let object = try parseJSON(line)
        #expect(object["ok"] as? Bool == false)
        #expect(object["error"] as? String == "x: went \"wrong\"\nbadly")
        #expect(line == #"{"command":"x","ok":false,"error":"x: went \"wrong\"\nbadly"}"#)
    }

    @Test func jsonPayloadWinsAndNonFiniteIsNull() throws {
        let result = CommandResult(command: "train", blocks: [.text(["ignored"])],
                                   payload: [("finalLoss", .double(.nan)), ("title", "Café \u{1}")])
        let object = try parseJSON(JSONRenderer.render(result))
        #expect(object["final_loss"] is NSNull)
        #expect(object["title"] as? String == "Café \u{1}")
        #expect(object["text"] == nil)
    }

    @Test func snakeCase() {
        #expect(JSONRenderer.snakeCased("secondsPerEpoch") == "seconds_per_epoch")
        #expect(JSONRenderer.snakeCased("min-rating") == "min_rating")
        #expect(JSONRenderer.snakeCased("what it does") == "what_it_does")
        #expect(JSONRenderer.snakeCased("mrr_full") == "mrr_full")
    }

    @Test func csvQuoting() {
        #expect(CSVRenderer.quote("plain") == "plain")
        #expect(CSVRenderer.quote("a,b") == "\"a,b\"")
        #expect(CSVRenderer.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVRenderer.quote("two\nlines") == "\"two\nlines\"")
        #expect(CSVRenderer.quote(" edge") == "\" edge\"")
        let csv = CSVRenderer.render(CommandResult(command: "t", blocks: [sample.blocks[1]]))
        #expect(csv == "model,ndcg,users\ngcn,0.31234,943\n\"pop, baseline\",0.1,12")
    }

    @Test func plainTableAlignsColumns() {
        let text = TableRenderer.render(CommandResult(command: "t", blocks: [sample.blocks[1]]), style: .plain)
        #expect(text == """
            model           ndcg  users
            -------------  -----  -----
            gcn            0.312    943
            pop, baseline  0.100     12
            """)
    }

    @Test func boxTableOnATerminal() {
        let text = TableRenderer.renderTable(Table(columns: [.init("a"), .init("n", .integer)], rows: [["é", 10]]),
                                             style: TextStyle(box: true, color: false))
        #expect(text == """
            ┌───┬────┐
            │ a │  n │
            ├───┼────┤
            │ é │ 10 │
            └───┴────┘
            """)
    }

    @Test func colourOnlyWhenAsked() {
        let plain = Renderer.render(.failure("x", "bad"), format: .table, style: .plain)
        #expect(plain.stderr == "error: bad\n")
        #expect(plain.stdout.isEmpty)
        let coloured = Renderer.render(.failure("x", "bad"), format: .table, style: TextStyle(box: true, color: true))
        #expect(coloured.stderr.contains("\u{1B}[31m"))
        #expect(!TableRenderer.render(sample, style: .plain).contains("\u{1B}"))
    }

    @Test func noColorEnvironmentWins() {
        var env = ShellEnvironment.plain
        env.stdoutIsTerminal = true
        env.noColor = false
        #expect(env.colorEnabled(setting: "auto"))
        env.noColor = true
        #expect(!env.colorEnabled(setting: "auto"))
        #expect(!env.colorEnabled(setting: "on"))
    }

    @Test func markdownTable() {
        let md = MarkdownRenderer.render(CommandResult(command: "t", blocks: [
            .table(Table(columns: [.init("title"), .init("score", .number(decimals: 2))], rows: [["a|b", 1.5]])),
        ]))
        #expect(md == "| title | score |\n| --- | ---: |\n| a\\|b | 1.50 |")
    }

    @Test func fixedDecimals() {
        #expect(Value.fixed(0.31256, decimals: 3) == "0.313")
        #expect(Value.fixed(-2.5, decimals: 1) == "-2.5")
        #expect(Value.fixed(-0.0001, decimals: 2) == "0.00")
        #expect(Value.fixed(12, decimals: 0) == "12")
    }
}

@Suite struct ChartTests {
    let chart = Chart(title: "loss", xLabel: "epoch", yLabel: "bpr loss",
                      series: [.init("gcn", values: [0.69, 0.5, 0.4, 0.35, 0.33]), .init("gat", values: [0.7, 0.45, 0.3])])

    @Test func terminalChartHasAxesLabelsAndBraille() {
        let text = TerminalChart.render(chart, width: 40, height: 8, style: .plain)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "loss")
        #expect(text.contains("bpr loss"))
        #expect(text.contains("epoch"))
        #expect(text.contains("0.700"))
        #expect(text.contains("0.300"))
        #expect(text.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
        #expect(text.contains("o gcn") && text.contains("x gat"))
        // Every plot row has the same prefix width up to the axis.
        let axisColumns = lines.filter { $0.contains("┤") }.map { $0.distance(from: $0.startIndex, to: $0.firstIndex(of: "┤")!) }
        #expect(axisColumns.count == 8)
        #expect(Set(axisColumns).count == 1)
    }

    @Test func emptyChartSaysSo() {
        let text = TerminalChart.render(Chart(title: "t", xLabel: "x", yLabel: "y", series: []), style: .plain)
        #expect(text.contains("no data"))
    }

    @Test func svgIsWellFormedXML() throws {
        let svg = SVGWriter.render(Chart(title: "a < b & \"c\"", xLabel: "x", yLabel: "y", series: chart.series))
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    }

    @Test func progressLine() {
        let line = ProgressBar.line(.init(label: "train", done: 3, total: 15, detail: "loss 0.41"), width: 10)
        #expect(line == "train ██░░░░░░░░ 3/15 loss 0.41")
    }
}
