import Foundation
import Tensors

/// MovieLens 1M: `ratings.dat` (UserID::MovieID::Rating::Timestamp),
/// `movies.dat` (MovieID::Title::Genres, genres `|`-separated) and
/// `users.dat` (UserID::Gender::Age::Occupation::Zip-code), all Latin-1.
///
/// Features, shaped like ml-100k's so the same models run on both:
/// users 24 = age code / max age code (codes are the brackets' lower bounds:
/// 1, 18, 25, 35, 45, 50, 56), gender one-hot (F, M), and the 21 occupation
/// codes 0...20 one-hot in code order, named as in the ml-1m README;
/// movies 18 = the ml-1m README's genres, which are ml-100k's minus "unknown".
/// `users.dat` is optional; without it users are the rating ids, ascending,
/// and there are no user features.
enum ML1MReader {
    static let occupations = [
        "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
        "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer",
        "programmer", "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer",
        "tradesman/craftsman", "unemployed", "writer",
    ]
    static let ageCodes: Set<Int> = [1, 18, 25, 35, 45, 50, 56]
    static let genres = Array(ML100KReader.standardGenres.dropFirst())
    static let separator: [UInt8] = [0x3A, 0x3A]

    static func read(directory: String, minRating: Float) throws -> Dataset {
        let path = { MovieLensLoader.join(directory, $0) }
        let (movies, movieIndex) = try readMovies(TextFile(path: path("movies.dat"), encoding: .latin1))
        let ratingsFile = try TextFile(path: path("ratings.dat"), encoding: .utf8)
        let format = RatingReader.Format(separator: separator, fieldCount: 4, range: 1...5, step: 1,
                                         separatorName: "'::'")

        var users: [User]
        var userIndex: [Int: Int]
        var userFeatures: Matrix? = nil
        var userNames: [String] = []
        if FileManager.default.fileExists(atPath: path("users.dat")) {
            (users, userIndex) = try readUsers(TextFile(path: path("users.dat"), encoding: .latin1))
            (userFeatures, userNames) = NodeFeatures.users(
                ages: users.map { $0.age ?? 0 }, genders: users.map { $0.gender ?? "" },
                occupations: users.map { $0.occupation ?? "" },
                genderCategories: ["F", "M"], occupationCategories: occupations)
        } else {
            let ids = MLLatestReader.userIDs(in: ratingsFile, format: format)
            users = ids.map { User(id: $0) }
            userIndex = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        }
        let ratings = try RatingReader.read(ratingsFile, format: format,
                                            userIndex: { userIndex[$0] }, movieIndex: { movieIndex[$0] })
        return Dataset(name: "ml-1m", layout: .ml1m, directory: directory, users: users, movies: movies,
                       ratings: ratings, minRating: minRating, userFeatures: userFeatures,
                       movieFeatures: NodeFeatures.genres(movies.map(\.genres), columns: genres),
                       userFeatureNames: userNames, movieFeatureNames: genres,
                       checksum: MovieLensLoader.sha256Hex(ratingsFile.bytes))
    }

    static func readMovies(_ file: TextFile) throws -> ([Movie], [Int: Int]) {
        var movies: [Movie] = []
        var index: [Int: Int] = [:]
        var firstLine: [Int: Int] = [:]
        let known = Set(genres)
        try file.forEachLine(separator: separator) { line, f in
            guard f.count == 3 else {
                throw file.error(line: line, "expected 3 '::'-separated fields (id, title, genres), got \(f.count)")
            }
            let id = try RatingReader.positiveID(f[0], "movie", line: line, file: file)
            try RatingReader.checkUnique(id, line: line, in: &firstLine, file: file, what: "movie")
            let names = file.text(f[2]).split(separator: "|").map(String.init)
            if let bad = names.first(where: { !known.contains($0) }) {
                throw file.error(line: line, "unknown genre '\(bad)' (known: \(genres.joined(separator: ", ")))")
            }
            index[id] = movies.count
            movies.append(Movie(id: id, title: file.text(f[1]), genres: names))
        }
        return (movies, index)
    }

    static func readUsers(_ file: TextFile) throws -> ([User], [Int: Int]) {
        var users: [User] = []
        var index: [Int: Int] = [:]
        var firstLine: [Int: Int] = [:]
        try file.forEachLine(separator: separator) { line, f in
            guard f.count == 5 else {
                throw file.error(line: line, "expected 5 '::'-separated fields (id, gender, age, occupation, zip), "
                                 + "got \(f.count)")
            }
            let id = try RatingReader.positiveID(f[0], "user", line: line, file: file)
            try RatingReader.checkUnique(id, line: line, in: &firstLine, file: file, what: "user")
            let gender = file.text(f[1])
            guard gender == "F" || gender == "M" else {
                throw file.error(line: line, "gender '\(gender)' is neither F nor M")
            }
            guard let age = FieldParser.int(f[2]), ageCodes.contains(age) else {
                throw file.error(line: line, "age code \(file.quoted(f[2])) is not one of 1, 18, 25, 35, 45, 50, 56")
            }
            guard let code = FieldParser.int(f[3]), occupations.indices.contains(code) else {
                throw file.error(line: line, "occupation code \(file.quoted(f[3])) is not a whole number in 0...20")
            }
            index[id] = users.count
            users.append(User(id: id, age: age, gender: gender, occupation: occupations[code], zip: file.text(f[4])))
        }
        return (users, index)
    }
}
