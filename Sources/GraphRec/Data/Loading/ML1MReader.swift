import Foundation
import Tensors

/// MovieLens 1M and 10M: `ratings.dat` (UserID::MovieID::Rating::Timestamp),
/// `movies.dat` (MovieID::Title::Genres, genres `|`-separated) and, in 1M
/// only, `users.dat` (UserID::Gender::Age::Occupation::Zip-code). 1M is
/// Latin-1 with whole-star ratings; 10M is UTF-8 with half stars.
///
/// Features, shaped like ml-100k's so the same models run on both:
/// users 24 = age code / max age code (codes are the brackets' lower bounds:
/// 1, 18, 25, 35, 45, 50, 56), gender one-hot (F, M), and the 21 occupation
/// codes 0...20 one-hot in code order, named as in the ml-1m README;
/// movies = the ml-1m README's 18 genres (ml-100k's minus "unknown"), then
/// any other genre the file names (10M adds "IMAX"), sorted; "(no genres
/// listed)" is no feature. Without `users.dat` users are the rating ids,
/// ascending, and there are no user features.
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

    static func read(directory: String, minRating: Float, lines: LineChecker) throws -> Dataset {
        let path = { MovieLensLoader.join(directory, $0) }
        let hasUsers = FileManager.default.fileExists(atPath: path("users.dat"))
        // 1M ships Latin-1 text; 10M (no users file) is UTF-8.
        let encoding: TextFile.Encoding = hasUsers ? .latin1 : .utf8
        let (movies, movieIndex) = try readMovies(TextFile(path: path("movies.dat"), encoding: encoding), lines: lines)
        let ratingsFile = try TextFile(path: path("ratings.dat"), encoding: .utf8)
        let format = RatingReader.Format(separator: separator, fieldCount: 4, range: hasUsers ? 1...5 : 0.5...5,
                                         step: hasUsers ? 1 : 0.5, separatorName: "'::'")

        var users: [User]
        var userIndex: [Int: Int]
        var userFeatures: Matrix? = nil
        var userNames: [String] = []
        if hasUsers {
            (users, userIndex) = try readUsers(TextFile(path: path("users.dat"), encoding: .latin1), lines: lines)
            (userFeatures, userNames) = NodeFeatures.users(
                ages: users.map { $0.age ?? 0 }, genders: users.map { $0.gender ?? "" },
                occupations: users.map { $0.occupation ?? "" },
                genderCategories: ["F", "M"], occupationCategories: occupations)
        } else {
            let ids = MLLatestReader.userIDs(in: ratingsFile, format: format)
            users = ids.map { User(id: $0) }
            userIndex = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        }
        let ratings = try RatingReader.read(ratingsFile, format: format, lines: lines, users: users.count,
                                            movies: movies.count,
                                            userIndex: { userIndex[$0] }, movieIndex: { movieIndex[$0] })
        let present = Set(movies.flatMap(\.genres))
        let extra = NodeFeatures.dummyCategories(Array(present.subtracting(genres).subtracting([MLLatestReader.noGenres])))
        let columns = genres + extra
        let layout: Dataset.Layout = hasUsers ? .ml1m : .ml10m
        return Dataset(name: MovieLensLoader.name(of: directory, layout: layout), layout: layout,
                       directory: directory, users: users, movies: movies,
                       ratings: ratings, minRating: minRating, userFeatures: userFeatures,
                       movieFeatures: NodeFeatures.genres(movies.map(\.genres), columns: columns),
                       userFeatureNames: userNames, movieFeatureNames: columns,
                       checksum: MovieLensLoader.sha256Hex(ratingsFile.bytes))
    }

    static func readMovies(_ file: TextFile, lines: LineChecker) throws -> ([Movie], [Int: Int]) {
        try RecordsByID.read(file, separator: separator, lines: lines, what: "movie", fieldCount: 3,
                             fields: "id, title, genres") { id, f in
            let names = file.text(f[2]).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            return Movie(id: id, title: file.text(f[1]), genres: names)
        }
    }

    static func readUsers(_ file: TextFile, lines: LineChecker) throws -> ([User], [Int: Int]) {
        try RecordsByID.read(file, separator: separator, lines: lines, what: "user", fieldCount: 5,
                             fields: "id, gender, age, occupation, zip") { id, f in
            let gender = file.text(f[1])
            guard gender == "F" || gender == "M" else {
                throw LineFault("gender \(file.quoted(f[1])) is neither F nor M")
            }
            guard let age = FieldParser.int(f[2]), ageCodes.contains(age) else {
                throw LineFault("age code \(file.quoted(f[2])) is not one of 1, 18, 25, 35, 45, 50, 56")
            }
            guard let code = FieldParser.int(f[3]), occupations.indices.contains(code) else {
                throw LineFault("occupation code \(file.quoted(f[3])) is not a whole number in 0...20")
            }
            return User(id: id, age: age, gender: gender, occupation: occupations[code], zip: file.text(f[4]))
        }
    }
}
