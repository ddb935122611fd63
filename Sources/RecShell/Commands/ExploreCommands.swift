import GraphRec

/// Looking inside trained models: recommendations, neighbours, attention,
/// what-if edits and new users.
public enum ExploreCommands {
    static let occupations = ["administrator", "artist", "doctor", "educator", "engineer", "entertainment",
                              "executive", "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none",
                              "other", "programmer", "retired", "salesman", "scientist", "student", "technician",
                              "writer"]

    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "recommend", group: "Explore", synopsis: "recommend USER [model=NAME] [k=10] [lsh=PLANES] [why]",
            summary: "Top movies for a user with titles and scores; 'why' explains each from the user's own ratings.",
            arguments: [ArgumentSpec("USER", "user id"),
                        ArgumentSpec("why", "explain each recommendation", required: false, values: ["why"])],
            options: [OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models),
                      OptionSpec("k", "N", default: "10", "how many movies"),
                      OptionSpec("lsh", "PLANES", "search LSH candidates instead of all movies")],
            example: "recommend 1 k=5 why", handler: recommend),
        CommandSpec(
            name: "similar", group: "Explore", synopsis: "similar MOVIE [model=NAME] [k=10]",
            summary: "Nearest movies in the model's embedding space. MOVIE is an id or a quoted title.",
            arguments: [ArgumentSpec("MOVIE", "movie id or title", completion: .movieTitles)],
            options: [OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models),
                      OptionSpec("k", "N", default: "10", "how many movies")],
            example: "similar \"Star Wars (1977)\" k=5", handler: similar),
        CommandSpec(
            name: "attention", group: "Explore",
            synopsis: "attention user USER | movie MOVIE | summary [model=NAME] [layer=L] [head=H] [top=N]",
            summary: "GAT attention weights over a node's neighbours, heaviest first; or how uniform attention is overall.",
            details: ["Shows each neighbour's weight a_vu (the self-loop marked), the total (1 per head), the",
                      "entropy against the uniform maximum ln(|N(v)|+1), and the 1/|N(v)| a GCN mean would give.",
                      "'attention summary' reports, per layer and head, the entropy distribution against uniform",
                      "and how attention correlates with neighbour degree. Without layer=/head=, every one is shown."],
            arguments: [ArgumentSpec("KIND", "user, movie or summary", values: ["user", "movie", "summary"]),
                        ArgumentSpec("ID", "user id, movie id or title", required: false, completion: .movieTitles)],
            options: [OptionSpec("model", "NAME", default: "last gat", "a GAT model", completion: .models),
                      OptionSpec("layer", "L", default: "all", "layer (1-based)"),
                      OptionSpec("head", "H", default: "all", "attention head (1-based)"),
                      OptionSpec("top", "N", default: "10", "neighbours to show")],
            example: "attention user 1 layer=1 top=5", handler: attention),
        CommandSpec(
            name: "whatif", group: "Explore",
            synopsis: "whatif user USER likes|drops MOVIE ... [model=NAME] [k=10]",
            summary: "Add or remove a user's edges and show how recommendations move, without retraining.",
            arguments: [ArgumentSpec("user", "the word 'user'", values: ["user"]),
                        ArgumentSpec("USER", "user id"),
                        ArgumentSpec("CHANGE", "likes or drops", values: ["likes", "drops"]),
                        ArgumentSpec("MOVIE", "movie ids or titles", variadic: true, completion: .movieTitles)],
            options: [OptionSpec("model", "NAME", default: "last trained", "an inductive (graph) model", completion: .models),
                      OptionSpec("k", "N", default: "10", "how many movies")],
            example: "whatif user 1 likes 50 181", handler: whatif),
        CommandSpec(
            name: "newuser", group: "Explore",
            synopsis: "newuser [age=A] [gender=F|M] [occupation=O] [likes=M,M,...] [model=NAME] [k=10]",
            summary: "Add a user from features and liked movies and recommend for them inductively.",
            options: [OptionSpec("age", "A", "age in years"),
                      OptionSpec("gender", "F|M", "gender", values: ["F", "M"]),
                      OptionSpec("occupation", "O", "occupation", values: occupations, closed: false),
                      OptionSpec("likes", "M,M,...", "liked movie ids"),
                      OptionSpec("model", "NAME", default: "last trained", "an inductive (graph) model", completion: .models),
                      OptionSpec("k", "N", default: "10", "how many movies")],
            example: "newuser age=25 gender=F occupation=student likes=50,181,172", handler: newuser),
    ]

    static func recommend(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("recommend")
    }

    static func similar(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("similar")
    }

    static func attention(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        try AttentionCommand.run(session, command)
    }

    static func whatif(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("whatif")
    }

    static func newuser(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("newuser")
    }
}
