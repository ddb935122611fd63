import Foundation
import Tensors

/// MovieLens 100K: `u.data` (user TAB movie TAB rating TAB timestamp),
/// `u.item` and `u.user` (`|`-separated, ISO-8859-1), `u.genre`
/// (`name|index`) and `u.occupation` (one name a line).
///
/// `u.genre` and `u.occupation` are optional: without `u.genre` the 19
/// standard genre names are used; with `u.occupation` every user's
/// occupation must be one listed there. Feature columns follow PyG (see
/// `NodeFeatures`), which derives them from u.user and u.item alone.
enum ML100KReader {
    /// u.genre's contents, in column order; the first ("unknown") is not a feature.
    static let standardGenres = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]

    static func read(directory: String, minRating: Float, lines: LineChecker) throws -> Dataset {
        let path = { MovieLensLoader.join(directory, $0) }
        let genres = try readGenres(path("u.genre"))
        let occupations = try readOccupations(path("u.occupation"))
        let (movies, movieIndex) = try readMovies(TextFile(path: path("u.item"), encoding: .latin1), genres: genres,
                                                  lines: lines)
        let (users, userIndex) = try readUsers(TextFile(path: path("u.user"), encoding: .latin1),
                                               occupations: occupations, lines: lines)

        let ratingsFile = try TextFile(path: path("u.data"), encoding: .utf8)
        let format = RatingReader.Format(separator: [0x09], fieldCount: 4, range: 1...5, step: 1,
                                         separatorName: "tab")
        let ratings = try RatingReader.read(ratingsFile, format: format, lines: lines, users: users.count,
                                            movies: movies.count,
                                            userIndex: { userIndex[$0] }, movieIndex: { movieIndex[$0] })

        let (userFeatures, userNames) = NodeFeatures.users(
            ages: users.map { $0.age ?? 0 }, genders: users.map { $0.gender ?? "" },
            occupations: users.map { $0.occupation ?? "" },
            genderCategories: NodeFeatures.dummyCategories(users.compactMap(\.gender)),
            occupationCategories: NodeFeatures.dummyCategories(users.compactMap(\.occupation)))
        let genreColumns = Array(genres.dropFirst())
        let movieFeatures = NodeFeatures.genres(movies.map(\.genres), columns: genreColumns)

        return Dataset(name: "ml-100k", layout: .ml100k, directory: directory, users: users, movies: movies,
                       ratings: ratings, minRating: minRating, userFeatures: userFeatures,
                       movieFeatures: movieFeatures, userFeatureNames: userNames,
                       movieFeatureNames: genreColumns,
                       checksum: MovieLensLoader.sha256Hex(ratingsFile.bytes))
    }

    /// Genre names in column order; the standard 19 when the file is absent.
    static func readGenres(_ path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return standardGenres }
        let file = try TextFile(path: path, encoding: .latin1)
        var names: [String] = []
        var firstLine: [String: Int] = [:]
        try file.forEachLine(separator: [0x7C]) { line, f in
            guard f.count == 2 else {
                throw file.error(line: line, "expected 2 '|'-separated fields (genre|index), got \(f.count)")
            }
            guard let index = FieldParser.int(f[1]) else {
                throw file.error(line: line, "genre index \(file.quoted(f[1])) is not a whole number")
            }
            guard index == names.count else {
                throw file.error(line: line, "genre index \(index) out of order (expected \(names.count))")
            }
            let name = file.text(f[0])
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw file.error(line: line, "empty genre name")
            }
            if let first = firstLine[name] {
                throw file.error(line: line, "duplicate genre \(file.quoted(f[0])) (first on line \(first))")
            }
            firstLine[name] = line
            names.append(name)
        }
        guard names.count >= 2 else { throw RecError("\(path): expected at least 2 genres, found \(names.count)") }
        return names
    }

    /// The occupations users may have, or nil when u.occupation is absent.
    static func readOccupations(_ path: String) throws -> Set<String>? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try TextFile(path: path, encoding: .latin1)
        var names = Set<String>()
        try file.forEachRawLine { _, text in names.insert(file.text(text).trimmingCharacters(in: .whitespaces)) }
        return names
    }

    static func readMovies(_ file: TextFile, genres: [String], lines: LineChecker) throws -> ([Movie], [Int: Int]) {
        try RecordsByID.read(file, separator: [0x7C], lines: lines, what: "movie", fieldCount: 5 + genres.count,
                             fields: "id, title, release date, video date, URL and \(genres.count) genre flags") { id, f in
            var movieGenres: [String] = []
            for g in 0..<genres.count {
                let flag = f[5 + g]
                guard flag.count == 1, flag.first == 0x30 || flag.first == 0x31 else {
                    throw LineFault("genre flag \(genres[g]) is \(file.quoted(flag)), expected 0 or 1")
                }
                if flag.first == 0x31 { movieGenres.append(genres[g]) }
            }
            let date = file.text(f[2])
            return Movie(id: id, title: file.text(f[1]), releaseDate: date.isEmpty ? nil : date, genres: movieGenres)
        }
    }

    static func readUsers(_ file: TextFile, occupations: Set<String>?, lines: LineChecker) throws -> ([User], [Int: Int]) {
        try RecordsByID.read(file, separator: [0x7C], lines: lines, what: "user", fieldCount: 5,
                             fields: "id, age, gender, occupation, zip") { id, f in
            guard let age = FieldParser.int(f[1]), age > 0, age < 150 else {
                throw LineFault("age \(file.quoted(f[1])) is not a whole number in 1...149")
            }
            let gender = file.text(f[2])
            guard gender == "F" || gender == "M" else {
                throw LineFault("gender \(file.quoted(f[2])) is neither F nor M")
            }
            let occupation = file.text(f[3])
            if let occupations, !occupations.contains(occupation) {
                throw LineFault("occupation \(file.quoted(f[3])) is not listed in u.occupation")
            }
            return User(id: id, age: age, gender: gender, occupation: occupation, zip: file.text(f[4]))
        }
    }
}
