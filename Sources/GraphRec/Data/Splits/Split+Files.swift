import Foundation

/// Splits read from files: the GroupLens ones shipped with ml-100k and
/// user-supplied TSV lists.
extension Split {
    /// The GroupLens split names: five-fold u1..u5 (80,000/20,000 ratings)
    /// and ua/ub (exactly 10 test ratings per user).
    public static let officialNames = ["u1", "u2", "u3", "u4", "u5", "ua", "ub"]

    /// GroupLens split `name`: train = the ratings >= `minRating` in
    /// `NAME.base`, test = those in `NAME.test`; no validation part. Files are
    /// read from `directory` (default: the data set's own) in u.data's format,
    /// and every id must be one of the data set's.
    public static func official(_ name: String, dataset: Dataset, directory: String? = nil,
                                minRating: Float? = nil) throws -> Split {
        guard officialNames.contains(name) else {
            throw RecError("split official: unknown split '\(name)' (known: \(officialNames.joined(separator: ", ")))")
        }
        guard dataset.layout == .ml100k || directory != nil else {
            throw RecError("split official: \(dataset.name) has no GroupLens splits (they ship with ml-100k only)")
        }
        let dir = directory ?? dataset.directory
        let threshold = minRating ?? dataset.minRating
        let format = RatingReader.Format(separator: [0x09], fieldCount: 4, range: 1...5, step: 1,
                                         separatorName: "tab")
        func part(_ suffix: String) throws -> [Edge] {
            let path = MovieLensLoader.join(dir, "\(name).\(suffix)")
            guard FileManager.default.fileExists(atPath: path) else {
                throw RecError("split official \(name): \(path) not found")
            }
            let ratings = try RatingReader.read(TextFile(path: path, encoding: .utf8), format: format,
                                                lines: LineChecker(policy: .strict), users: dataset.userCount,
                                                movies: dataset.movieCount, userIndex: { dataset.userIndex(id: $0) },
                                                movieIndex: { dataset.movieIndex(id: $0) })
            return Array(Set(ratings.filter { $0.value >= threshold }.map { Edge(user: $0.user, movie: $0.movie) }))
                .sorted()
        }
        return Split(kind: .official(name), ratios: [], seed: 0, train: try part("base"), validation: [],
                     test: try part("test"))
    }

    /// A split from TSV files of `user<TAB>movie` lines with the data set's
    /// own ids. Further columns (a rating, a timestamp) are ignored, as are
    /// blank lines and lines starting with `#`. A pair listed in two parts is
    /// an error naming both.
    public static func files(train: String, validation: String? = nil, test: String,
                             dataset: Dataset) throws -> Split {
        let trainEdges = try readPairs(train, dataset: dataset)
        let valEdges = try validation.map { try readPairs($0, dataset: dataset) } ?? []
        let testEdges = try readPairs(test, dataset: dataset)
        var owner: [Edge: String] = [:]
        for (path, edges) in [(train, trainEdges), (validation ?? "", valEdges), (test, testEdges)] {
            for (e, line) in edges {
                if let other = owner[e] {
                    let u = dataset.users[Int(e.user)].id, m = dataset.movies[Int(e.movie)].id
                    throw RecError("\(path) line \(line): user \(u) movie \(m) is also in \(other)")
                }
            }
            for (e, _) in edges { owner[e] = path }
        }
        func sortedEdges(_ list: [(Edge, Int)]) -> [Edge] { Array(Set(list.map(\.0))).sorted() }
        return Split(kind: .files, ratios: [], seed: 0, train: sortedEdges(trainEdges),
                     validation: sortedEdges(valEdges), test: sortedEdges(testEdges))
    }

    /// The pairs of one TSV file with their line numbers.
    static func readPairs(_ path: String, dataset: Dataset) throws -> [(Edge, Int)] {
        let file = try TextFile(path: path, encoding: .utf8)
        var pairs: [(Edge, Int)] = []
        try file.forEachLine(separator: [0x09]) { line, f in
            if f[0].first == 0x23 { return } // '#'
            guard f.count >= 2 else {
                throw file.error(line: line, "expected user<TAB>movie, got \(f.count) field\(f.count == 1 ? "" : "s")")
            }
            let userText = file.text(f[0]).trimmingCharacters(in: .whitespaces)
            let movieText = file.text(f[1]).trimmingCharacters(in: .whitespaces)
            guard let userID = dataset.userID(parsing: userText) else {
                throw file.error(line: line, "user id \(file.quoted(f[0])) is not a whole number")
            }
            guard let movieID = dataset.movieID(parsing: movieText) else {
                throw file.error(line: line, "movie id \(file.quoted(f[1])) is not a whole number")
            }
            guard let u = dataset.userIndex(id: userID) else {
                throw file.error(line: line, "unknown user id \(TextFile.visible(userText)) in \(dataset.name)")
            }
            guard let m = dataset.movieIndex(id: movieID) else {
                throw file.error(line: line, "unknown movie id \(TextFile.visible(movieText)) in \(dataset.name)")
            }
            pairs.append((Edge(u, m), line))
        }
        return pairs
    }
}
