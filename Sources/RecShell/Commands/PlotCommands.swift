import Foundation
import GraphRec

/// Charts of training and evaluation, in the terminal or as SVG.
public enum PlotCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "plot", group: "Plots", synopsis: "plot loss|metrics|lsh [model=NAME] [svg=FILE]",
            summary: "Chart loss curves, metrics or an LSH sweep in the terminal, optionally also as an SVG file.",
            details: ["loss: training loss and validation NDCG@10 per epoch (svg=FILE writes the loss chart to FILE",
                      "and the NDCG chart beside it as FILE-val.svg). metrics: each model's last metrics (from train",
                      "or eval) as bars; svg=FILE draws them as one line per metric across the models."],
            arguments: [ArgumentSpec("WHAT", "what to chart", values: ["loss", "metrics", "lsh"])],
            options: [OptionSpec("model", "NAME", default: "all", "which model", completion: .models),
                      OptionSpec("svg", "FILE", "also write the chart as SVG", completion: .files)],
            example: "plot loss svg=loss.svg", handler: plot),
    ]

    static func plot(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        switch command.argument(0)! {
        case "loss": return try loss(session, command)
        case "metrics": return try metrics(session, command)
        case "lsh": return try LSHSupport.plotLastSweep(session, command)
        case let other:
            throw ShellError.badValue(command: "plot", option: "WHAT", value: other, accepted: ["loss", "metrics", "lsh"])
        }
    }

    /// The named model, or every model.
    static func chosen(_ session: Session, _ command: ParsedCommand) throws -> [TrainedModel] {
        if let name = command.options["model"], name != "all" { return [try session.model(name, command: "plot")] }
        guard !session.models.isEmpty else { throw ShellError.message("plot: no trained model yet; try 'train gcn'") }
        return session.models
    }

    static func loss(_ session: Session, _ command: ParsedCommand) throws -> CommandResult {
        let models = try chosen(session, command).filter { !$0.history.loss.isEmpty }
        guard !models.isEmpty else {
            throw ShellError.message("plot loss: no model with a loss curve (closed-form models have none); try 'train gcn'")
        }
        let lossChart = Chart(title: "training loss per epoch", xLabel: "epoch", yLabel: "loss",
                              series: models.map { Chart.Series($0.name, values: $0.history.loss) })
        var charts = [lossChart]
        let withVal = models.filter { !$0.history.validationNDCG.isEmpty }
        if !withVal.isEmpty {
            charts.append(Chart(title: "validation NDCG@10 per epoch", xLabel: "epoch", yLabel: "ndcg@10",
                                series: withVal.map { Chart.Series($0.name, values: $0.history.validationNDCG) }))
        }
        var files: [String] = []
        if let svg = command.options["svg"] {
            files.append(try write(lossChart, to: svg))
            if charts.count > 1 { files.append(try write(charts[1], to: sibling(svg, suffix: "-val"))) }
        }
        var blocks = charts.map { CommandResult.Block.chart($0) }
        if !files.isEmpty { blocks.append(.text(files.map { "wrote \($0)" })) }
        var payload: [(String, Value)] = [("charts", .array(charts.map(JSONRenderer.chartValue)))]
        payload.append(("files", .array(files.map(Value.string))))
        return CommandResult(command: "plot", blocks: blocks, payload: payload)
    }

    static func metrics(_ session: Session, _ command: ParsedCommand) throws -> CommandResult {
        let models = try chosen(session, command).filter { !$0.lastMetrics.isEmpty }
        guard !models.isEmpty else { throw ShellError.message("plot metrics: no model has metrics yet; try 'eval'") }
        let keys = ["precision", "recall", "ndcg", "mrr"]
        let top = models.compactMap { $0.lastMetrics["ndcg"] }.max() ?? 0
        let barWidth = 30
        var rows: [[Value]] = []
        for m in models {
            let ndcg = m.lastMetrics["ndcg"] ?? 0
            let filled = top > 0 ? Int((ndcg / top * Double(barWidth)).rounded()) : 0
            rows.append([.string(m.name), .string(m.lastMetricsOn ?? "")]
                + keys.map { m.lastMetrics[$0].map(Value.double) ?? .null }
                + [.string(String(repeating: "█", count: filled))])
        }
        let table = Table(name: "models", title: "last metrics by model",
                          columns: [.init("model"), .init("on")] + keys.map { .init($0, .number(decimals: 4)) }
                            + [.init("ndcg (bar, scaled to best)")],
                          rows: rows)
        let chart = Chart(title: "last metrics (x: " + models.enumerated().map { "\($0.offset + 1)=\($0.element.name)" }
                            .joined(separator: " ") + ")",
                          xLabel: "model", yLabel: "metric",
                          series: keys.map { key in Chart.Series(key, values: models.map { $0.lastMetrics[key] ?? 0 }) })
        var blocks: [CommandResult.Block] = [.table(table)]
        var files: [String] = []
        if let svg = command.options["svg"] {
            files.append(try write(chart, to: svg))
            blocks.append(.text(["wrote \(svg)"]))
        }
        return CommandResult(command: "plot", blocks: blocks, payload: [
            ("models", .array(models.map { m in
                .object([("model", .string(m.name)), ("on", m.lastMetricsOn.map(Value.string) ?? .null),
                         ("metrics", ModelCommands.metricsValue(m.lastMetrics))])
            })),
            ("files", .array(files.map(Value.string))),
        ])
    }

    /// FILE.svg -> FILE-suffix.svg.
    static func sibling(_ path: String, suffix: String) -> String {
        path.hasSuffix(".svg") ? String(path.dropLast(4)) + suffix + ".svg" : path + suffix + ".svg"
    }

    static func write(_ chart: Chart, to path: String) throws -> String {
        do {
            try SVGWriter.render(chart).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ShellError.message("plot: cannot write \(path): \(error.localizedDescription)")
        }
        return path
    }
}
