import Foundation
import Tensors

/// MovieLens latest (full and small): `ratings.csv`
/// (`userId,movieId,rating,timestamp`) and `movies.csv`
/// (`movieId,title,genres`), CSV with a header line, UTF-8. Titles that
/// contain commas are double-quoted, with `""` for a quote inside.
///
/// There is no user file, so users are the ids that occur in ratings.csv in
/// ascending order, and there are no user features (nil). Movie features
/// are genre flags, one column per genre that occurs, sorted as pandas'
/// `str.get_dummies("|")` sorts them (what PyG's `MovieLens` data set uses),
/// except "(no genres listed)", which like ml-100k's "unknown" is no feature.
/// Ratings run 0.5...5 in half stars. ml-20m, ml-25m and ml-32m share the layout.
enum MLLatestReader {
    static let noGenres = "(no genres listed)"

    static func read(directory: String, minRating: Float, lines: LineChecker) throws -> Dataset {
        let path = { MovieLensLoader.join(directory, $0) }
        let (movies, movieIndex) = try readMovies(TextFile(path: path("movies.csv"), encoding: .utf8), lines: lines)
        let ratingsFile = try TextFile(path: path("ratings.csv"), encoding: .utf8)
        try checkHeader(ratingsFile, expected: ["userId", "movieId", "rating", "timestamp"])
        let format = RatingReader.Format(separator: [0x2C], fieldCount: 4, range: 0.5...5, step: 0.5,
                                         hasHeader: true, separatorName: "comma")
        let ids = userIDs(in: ratingsFile, format: format)
        let userIndex = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let ratings = try RatingReader.read(ratingsFile, format: format, lines: lines, users: ids.count,
                                            movies: movies.count,
                                            userIndex: { userIndex[$0] }, movieIndex: { movieIndex[$0] })
        let columns = NodeFeatures.dummyCategories(movies.flatMap(\.genres).filter { $0 != noGenres })
        let name = MovieLensLoader.name(of: directory, layout: .mlLatest)
        return Dataset(name: name, layout: .mlLatest,
                       directory: directory, users: ids.map { User(id: $0) }, movies: movies,
                       ratings: ratings, minRating: minRating, userFeatures: nil,
                       movieFeatures: NodeFeatures.genres(movies.map(\.genres), columns: columns),
                       userFeatureNames: [], movieFeatureNames: columns,
                       checksum: MovieLensLoader.sha256Hex(ratingsFile.bytes))
    }

    /// The distinct user ids of a ratings file, ascending. Lines with the
    /// wrong field count or an impossible user id are passed over here; the
    /// full read reports (or skips) them.
    static func userIDs(in file: TextFile, format: RatingReader.Format) -> [Int] {
        var seen = Set<Int>()
        var isHeader = format.hasHeader
        try? file.forEachLine(separator: format.separator) { _, f in
            if isHeader { isHeader = false; return }
            if f.count == format.fieldCount, let id = FieldParser.int(f[format.user]), id >= 1 { seen.insert(id) }
        }
        return seen.sorted()
    }

    static func checkHeader(_ file: TextFile, expected: [String]) throws {
        var header: [String]? = nil
        struct Stop: Error {}
        do {
            try file.forEachRawLine { _, text in
                header = file.text(text).split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                throw Stop()
            }
        } catch is Stop {}
        guard let header else { throw RecError("\(file.path): the file is empty (expected a header line)") }
        let shown = header.map(TextFile.visible)
        guard header == expected else {
            throw file.error(line: 1, "expected the header '\(expected.joined(separator: ","))', "
                             + "got '\(shown.joined(separator: ","))'")
        }
    }

    static func readMovies(_ file: TextFile, lines: LineChecker) throws -> ([Movie], [Int: Int]) {
        try checkHeader(file, expected: ["movieId", "title", "genres"])
        var movies = RecordsByID<Movie>("movie")
        var isHeader = true
        try file.forEachRawLine { line, text in
            if isHeader { isHeader = false; return }
            try lines.check(file, line: line) {
                guard let f = CSV.fields(text) else { throw LineFault("unterminated quoted field") }
                guard f.count == 3 else {
                    throw LineFault("expected 3 comma-separated fields (movieId, title, genres), got \(f.count)"
                                    + " (quote titles that contain commas)")
                }
                guard let id = FieldParser.int(f[0].utf8) else {
                    throw LineFault("movie id '\(TextFile.visible(f[0]))' is not a whole number")
                }
                guard id >= 1 else { throw LineFault("movie id \(id) is not a positive whole number (MovieLens ids start at 1)") }
                try movies.claim(id, line: line)
                let genres = f[2].split(separator: "|").map(String.init)
                movies.append(Movie(id: id, title: f[1], genres: genres), id: id)
            }
        }
        return try movies.finished(file)
    }
}

/// One CSV line (RFC 4180 without line breaks inside quotes).
enum CSV {
    /// The fields of `line` split at `separator` (a comma unless told),
    /// unquoted; nil when a quote is left open.
    static func fields(_ line: TextFile.Field, separator: UInt8 = 0x2C) -> [String]? {
        var fields: [String] = []
        var current: [UInt8] = []
        var i = line.startIndex
        var inQuotes = false
        while i < line.endIndex {
            let c = line[i]
            if inQuotes {
                if c == 0x22 {
                    if i + 1 < line.endIndex && line[i + 1] == 0x22 { current.append(0x22); i += 1 }
                    else { inQuotes = false }
                } else {
                    current.append(c)
                }
            } else if c == 0x22 && current.isEmpty {
                inQuotes = true
            } else if c == separator {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(c)
            }
            i += 1
        }
        if inQuotes { return nil }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
