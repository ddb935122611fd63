import Foundation
import GraphRec

/// `find`, `user` and `movie`: looking things up in the loaded data set.
/// Dataset+Search resolves what the person typed (ids, whole or partial
/// titles, accents optional); these handlers only count and lay out.
extension DataCommands {
    static func find(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let d = try session.requireDataset("find")
        let text = command.arguments.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            throw ShellError.missingArgument(command: "find", argument: "TEXT", usage: context.usage(of: command))
        }
        let limit = try command.options.int("limit", default: 25, range: 1...100_000)
        let found = d.findMovies(matching: text)
        let counts = ratingCounts(d)
        let shown = found.prefix(limit)
        let rows: [[Value]] = shown.map { m in
            let movie = d.movies[m]
            return [.id(movie.id), .string(movie.title), year(of: movie).map(Value.int) ?? .null,
                    .string(movie.genres.joined(separator: "|")), .int(counts[m])]
        }
        let table = Table(name: "movies", title: "Titles containing '\(text)'",
                          columns: [Table.Column("movie", .integer), Table.Column("title"), Table.Column("year", .integer),
                                    Table.Column("genres"), Table.Column("ratings", .integer)],
                          rows: rows)
        var blocks: [CommandResult.Block] = []
        if found.isEmpty {
            blocks.append(.text(["no title in \(d.name) contains '\(text)'"]))
        } else {
            blocks.append(.table(table))
            if found.count > shown.count {
                blocks.append(.text(["showing \(shown.count) of \(found.count); limit=N shows more"]))
            }
        }
        let movies: [Value] = zip(shown, rows).map { m, row in
            .object([("movie", row[0]), ("title", row[1]), ("year", row[2]),
                     ("genres", .array(d.movies[m].genres.map { .string($0) })), ("ratings", row[4])])
        }
        let payload: [(String, Value)] = [("query", .string(text)), ("matches", .int(found.count)),
                                          ("movies", .array(movies))]
        return CommandResult(command: "find", blocks: blocks, payload: payload)
    }

    static func user(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let d = try session.requireDataset("user")
        let u = try d.resolveUser(command.arguments[0])
        let top = try command.options.int("top", default: 10, range: 1...100_000)
        let person = d.users[u]
        let stats = d.ratingStats(ofUser: u)
        let rated = d.ratings(ofUser: u)
        let degree = session.graph?.degree(user: u) ?? stats.positives
        let parts = splitParts(session.split) { $0.user == Int32(u) }

        var fields: [(String, Value)] = [("user", .id(person.id))]
        if let age = person.age { fields.append(("age", .int(age))) }
        if let gender = person.gender { fields.append(("gender", .string(gender))) }
        if let occupation = person.occupation { fields.append(("occupation", .string(occupation))) }
        if let zip = person.zip { fields.append(("zip", .string(zip))) }
        fields += [("ratings", .int(stats.count)), ("mean_rating", .double(stats.mean)),
                   ("positives", .int(stats.positives)), ("degree", .int(degree))]
        if session.split != nil {
            fields += [("val_edges", .int(parts.validation.count)), ("test_edges", .int(parts.test.count))]
        }

        let shown = rated.prefix(top)
        let rows: [[Value]] = shown.map { r in
            let m = Int(r.movie)
            return [.id(d.movies[m].id), .string(d.movies[m].title), .double(Double(r.value)),
                    .string(partName(Edge(user: r.user, movie: r.movie), value: r.value, minRating: d.minRating,
                                     split: session.split, parts: parts))]
        }
        let table = Table(name: "rated", title: "Rated by user \(person.id), highest first",
                          columns: [Table.Column("movie", .integer), Table.Column("title"),
                                    Table.Column("rating", .number(decimals: 1)), Table.Column("edge")],
                          rows: rows)
        var blocks: [CommandResult.Block] = [.fields(fields), .table(table)]
        if rated.count > shown.count {
            blocks.append(.text(["showing \(shown.count) of \(rated.count) ratings; top=N shows more, "
                                 + "'recommend \(person.id)' ranks unseen movies"]))
        }
        var payload = fields
        if let features = d.features(ofUser: u) {
            payload.append(("features", .object(features.map { ($0.name, .double(Double($0.value))) })))
        }
        payload.append(("rated", .array(rows.map { row in
            .object([("movie", row[0]), ("title", row[1]), ("rating", row[2]), ("edge", row[3])])
        })))
        return CommandResult(command: "user", blocks: blocks, payload: payload)
    }

    static func movie(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let d = try session.requireDataset("movie")
        let m = try d.resolveMovie(command.arguments.joined(separator: " "))
        let film = d.movies[m]
        let received = d.ratings(ofMovie: m)
        let stats = d.ratingStats(ofMovie: m)
        let degree = session.graph?.degree(movie: m) ?? stats.positives
        let parts = splitParts(session.split) { $0.movie == Int32(m) }

        var fields: [(String, Value)] = [("movie", .id(film.id)), ("title", .string(film.title)),
                                         ("year", year(of: film).map(Value.int) ?? .null)]
        if let date = film.releaseDate, !date.isEmpty { fields.append(("release_date", .string(date))) }
        fields += [("genres", .string(film.genres.isEmpty ? "-" : film.genres.joined(separator: ", "))),
                   ("ratings", .int(stats.count)), ("mean_rating", .double(stats.mean)),
                   ("positives", .int(stats.positives)), ("degree", .int(degree))]
        if session.split != nil {
            fields += [("val_edges", .int(parts.validation.count)), ("test_edges", .int(parts.test.count))]
        }
        let raters = ratersSummary(received.map { d.users[Int($0.user)] })
        fields += raters

        // How the ratings spread, highest value first.
        var byValue: [Float: Int] = [:]
        for r in received { byValue[r.value, default: 0] += 1 }
        let rows: [[Value]] = byValue.keys.sorted(by: >).map { v in
            let n = byValue[v]!
            return [.double(Double(v)), .int(n), .double(stats.count > 0 ? Double(n) / Double(stats.count) : 0),
                    .bool(v >= d.minRating)]
        }
        let table = Table(name: "distribution", title: "Ratings of \(film.title)",
                          columns: [Table.Column("rating", .number(decimals: 1)), Table.Column("count", .integer),
                                    Table.Column("share", .number(decimals: 3)), Table.Column("positive", .flag)],
                          rows: rows)
        var payload = fields.map { key, value in
            key == "genres" ? (key, Value.array(film.genres.map { .string($0) })) : (key, value)
        }
        payload.append(("distribution", .array(rows.map { row in
            .object([("rating", row[0]), ("count", row[1]), ("share", row[2]), ("positive", row[3])])
        })))
        var blocks: [CommandResult.Block] = [.fields(fields)]
        if !rows.isEmpty { blocks.append(.table(table)) }
        return CommandResult(command: "movie", blocks: blocks, payload: payload)
    }

    // MARK: helpers

    /// Ratings per movie index, counted in one pass.
    static func ratingCounts(_ d: Dataset) -> [Int] {
        var counts = [Int](repeating: 0, count: d.movieCount)
        for r in d.ratings { counts[Int(r.movie)] += 1 }
        return counts
    }

    /// The year in a title's trailing "(1995)", else the release date's last four digits.
    static func year(of movie: Movie) -> Int? {
        let t = movie.title.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix(")"), let open = t.lastIndex(of: "("),
           let y = Int(t[t.index(after: open)..<t.index(before: t.endIndex)]), (1800...2100).contains(y) {
            return y
        }
        if let date = movie.releaseDate, date.count >= 4, let y = Int(date.suffix(4)), (1800...2100).contains(y) {
            return y
        }
        return nil
    }

    /// The validation and test edges that pass `keep` (one user's or one movie's).
    static func splitParts(_ split: Split?, _ keep: (Edge) -> Bool) -> (validation: Set<Edge>, test: Set<Edge>) {
        guard let split else { return ([], []) }
        return (Set(split.validation.filter(keep)), Set(split.test.filter(keep)))
    }

    /// Where a rating sits: "train"/"val"/"test" with a split, "positive" without, "-" below min-rating.
    static func partName(_ edge: Edge, value: Float, minRating: Float, split: Split?,
                         parts: (validation: Set<Edge>, test: Set<Edge>)) -> String {
        guard value >= minRating else { return "-" }
        guard split != nil else { return "positive" }
        if parts.test.contains(edge) { return "test" }
        if parts.validation.contains(edge) { return "val" }
        return "train"
    }

    /// Who rated a movie: gender counts, mean age, most common occupations,
    /// for whatever the layout records.
    static func ratersSummary(_ users: [User]) -> [(String, Value)] {
        var out: [(String, Value)] = []
        let genders = users.compactMap(\.gender)
        if !genders.isEmpty {
            let f = genders.filter { $0 == "F" }.count
            out.append(("raters_female", .int(f)))
            out.append(("raters_male", .int(genders.count - f)))
        }
        let ages = users.compactMap(\.age)
        if !ages.isEmpty { out.append(("raters_mean_age", .double(Double(ages.reduce(0, +)) / Double(ages.count)))) }
        let occupations = users.compactMap(\.occupation)
        if !occupations.isEmpty {
            var counts: [String: Int] = [:]
            for o in occupations { counts[o, default: 0] += 1 }
            let top = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
            out.append(("top_occupations", .string(top.map { "\($0.key) \($0.value)" }.joined(separator: ", "))))
        }
        return out
    }
}
