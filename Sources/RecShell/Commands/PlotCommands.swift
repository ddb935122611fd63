import Foundation
import GraphRec

/// Charts of training and evaluation, in the terminal or as SVG.
public enum PlotCommands {
    public static let specs = CommandSpec.group("Plots", [
        CommandSpec(name: "plot",
            summary: "Chart loss curves, metrics or an LSH sweep in the terminal, optionally also as an SVG file.",
            details: """
                loss: training loss per epoch, one chart per kind of loss (bpr, softmax, the ALS objective, ...)
                since their scales differ, then validation NDCG@10 per epoch. metrics: each model's last metrics
                (from train or eval), one table per evaluation set, bars scaled to the best in the set.
                svg=FILE writes the same charts as panels of one SVG file (metrics: grouped bars per model).
                Each series has its own marker, so charts read without colour.
                """,
            subcommands: [Subcommand("loss", "loss and validation NDCG per epoch", options: ["model", "svg"],
                                     requires: [.dataset, .split, .model]),
                          Subcommand("metrics", "each model's last metrics", options: ["model", "svg"],
                                     requires: [.dataset, .split, .model]),
                          Subcommand("lsh", "the last 'lsh sweep'", options: ["svg"])],
            options: [OptionSpec("model", "NAME", default: "all", "which model", completion: .models),
                      OptionSpec("svg", "FILE", "also write the chart as SVG", completion: .files)],
            example: "plot loss svg=loss.svg", handler: plot),
    ])

    static func plot(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        switch command.subcommand {
        case "loss": return try loss(session, command)
        case "metrics": return try metrics(session, command)
        default: return try LSHSupport.plotLastSweep(session, command)
        }
    }

    /// The named model, or every model.
    static func chosen(_ session: Session, _ command: ParsedCommand) throws -> [TrainedModel] {
        if let name = command.options["model"], name != "all" { return [try session.model(name, command: "plot")] }
        return session.models
    }

    /// What a model's loss curve measures: curves of different kinds are on different scales.
    static func lossKind(_ model: TrainedModel) -> String {
        model.options["loss"].map { "\($0) loss" } ?? "\(model.kind) objective"
    }

    static func loss(_ session: Session, _ command: ParsedCommand) throws -> CommandResult {
        let models = try chosen(session, command).filter { !$0.history.loss.isEmpty }
        guard !models.isEmpty else {
            throw ShellError.message("plot loss: no model with a loss curve (closed-form models have none); try 'train gcn'")
        }
        var kinds: [String] = []
        for m in models where !kinds.contains(lossKind(m)) { kinds.append(lossKind(m)) }
        var charts = kinds.map { kind in
            Chart(title: "training \(kind) per epoch", xLabel: "epoch", yLabel: kind,
                  series: models.filter { lossKind($0) == kind }.map { Chart.Series($0.name, values: $0.history.loss) })
        }
        let withVal = models.filter { !$0.history.validationNDCG.isEmpty }
        if !withVal.isEmpty {
            charts.append(Chart(title: "validation NDCG@10 per epoch", xLabel: "epoch", yLabel: "ndcg@10",
                                series: withVal.map { Chart.Series($0.name, values: $0.history.validationNDCG) }))
        }
        var blocks = charts.map { CommandResult.Block.chart($0) }
        var files: [String] = []
        if let svg = command.options["svg"] {
            files.append(try write(charts, to: svg))
            blocks.append(.text(["wrote \(svg)"]))
        }
        return CommandResult(command: "plot", blocks: blocks, payload: [
            ("charts", .array(charts.map(JSONRenderer.chartValue))),
            ("files", .array(files.map(Value.string))),
        ])
    }

    static func metrics(_ session: Session, _ command: ParsedCommand) throws -> CommandResult {
        let models = try chosen(session, command).filter { !$0.lastMetrics.isEmpty }
        guard !models.isEmpty else { throw ShellError.message("plot metrics: no model has metrics yet; try 'eval'") }
        let keys = ["precision", "recall", "ndcg", "mrr"]
        // Metrics on test and on validation are not comparable: one group per evaluation set.
        var sets: [String] = []
        for m in models where !sets.contains(m.lastMetricsOn ?? "") { sets.append(m.lastMetricsOn ?? "") }
        var blocks: [CommandResult.Block] = []
        var charts: [Chart] = []
        for set in sets {
            let group = models.filter { ($0.lastMetricsOn ?? "") == set }
            let on = set.isEmpty ? "an unnamed set" : set
            let top = group.compactMap { $0.lastMetrics["ndcg"] }.max() ?? 0
            let barWidth = 30
            let rows: [[Value]] = group.map { m in
                let ndcg = m.lastMetrics["ndcg"] ?? 0
                let filled = top > 0 ? Int((ndcg / top * Double(barWidth)).rounded()) : 0
                return [.string(m.name)] + keys.map { m.lastMetrics[$0].map(Value.double) ?? .null }
                    + [.string(String(repeating: "█", count: max(0, filled)))]
            }
            blocks.append(.table(Table(name: "models", title: "last metrics on \(on)",
                                       columns: [.init("model")] + keys.map { .init($0, .number(decimals: 4)) }
                                        + [.init("ndcg (bar, scaled to best on \(on))")],
                                       rows: rows)))
            charts.append(Chart(title: "last metrics on \(on)", xLabel: "model", yLabel: "value",
                                series: keys.map { key in Chart.Series(key, values: group.map { $0.lastMetrics[key] ?? 0 }) },
                                categories: group.map(\.name)))
        }
        var files: [String] = []
        if let svg = command.options["svg"] {
            files.append(try write(charts, to: svg))
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

    /// The charts as panels of one SVG file.
    static func write(_ charts: [Chart], to path: String) throws -> String {
        do {
            try SVGWriter.render(panels: charts).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ShellError.message("plot: cannot write \(path): \(error.localizedDescription)")
        }
        return path
    }
}
