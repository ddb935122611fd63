import GraphRec

/// Charts of training and evaluation, in the terminal or as SVG.
public enum PlotCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "plot", group: "Plots", synopsis: "plot loss|metrics|lsh [model=NAME] [svg=FILE]",
            summary: "Chart loss curves, metrics or an LSH sweep in the terminal, optionally also as an SVG file.",
            arguments: [ArgumentSpec("WHAT", "what to chart", values: ["loss", "metrics", "lsh"])],
            options: [OptionSpec("model", "NAME", default: "all", "which model", completion: .models),
                      OptionSpec("svg", "FILE", "also write the chart as SVG", completion: .files)],
            example: "plot loss svg=loss.svg", handler: plot),
    ]

    static func plot(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        if command.argument(0) == "lsh" { return try LSHSupport.plotLastSweep(session, command) }
        throw ShellError.notBuilt("plot")
    }
}
