import Foundation
import Testing
@testable import GraphRec

/// The loaders against small directories the tests write: each layout,
/// Latin-1 titles, and broken lines whose errors must name file and line.
@Suite struct LoaderFixtureTests {
    /// The message of the RecError `body` throws, or a failure.
    func message(_ body: () throws -> Any) -> String { recErrorMessage(body) }

    @Test func readsTinyML100K() throws {
        let dir = try DataFixtures.directory(DataFixtures.ml100kFiles())
        #expect(MovieLensLoader.detectLayout(directory: dir) == .ml100k)
        let d = try MovieLensLoader.load(directory: dir)
        #expect(d.userCount == 4 && d.movieCount == 4 && d.ratings.count == 12)
        #expect(d.positives.count == 9)
        #expect(d.movies[2].title == "Misérables, Les (1995)")
        #expect(d.movies[0].genres == ["Animation", "Children's", "Comedy"])
        #expect(d.movies[3].releaseDate == nil)
        // get_dummies over the occupations present: doctor, student, technician, writer.
        #expect(d.userFeatureNames == ["age", "gender:F", "gender:M", "occupation:doctor", "occupation:student",
                                       "occupation:technician", "occupation:writer"])
        let f = try #require(d.userFeatures)
        #expect(f.row(0) == [Float(24.0 / 53.0), 0, 1, 0, 0, 1, 0])
        #expect(f.row(1) == [1, 1, 0, 0, 0, 0, 1])
        #expect(f[3, 0] == Float(48.0 / 53.0))
        let g = try #require(d.movieFeatures)
        #expect(g.cols == 18)
        #expect(g.row(3).allSatisfy { $0 == 0 })
        #expect(g[1, 0] == 1 && g[1, 1] == 1 && g[1, 15] == 1 && g.row(1).reduce(0, +) == 3)
        #expect(d.ratings[0] == Rating(user: 0, movie: 0, value: 5, timestamp: 874_965_758))
    }

    @Test func latin1IsNotReadAsUTF8() throws {
        // 0xE9 alone is invalid UTF-8; read as Latin-1 it is "é".
        let dir = try DataFixtures.directory(DataFixtures.ml100kFiles())
        let bytes = try #require(FileManager.default.contents(atPath: dir + "/u.item"))
        #expect(bytes.contains(0xE9))
        #expect(String(data: bytes, encoding: .utf8) == nil)
        let d = try MovieLensLoader.load(directory: dir)
        #expect(d.movies[2].title.unicodeScalars.contains("\u{E9}"))
    }

    @Test func brokenRatingLinesNameFileAndLine() throws {
        let cases: [(String, String)] = [
            ("1\t1\t5\t1\n1\t2\t3\n", "u.data line 2: expected 4 tab-separated fields"),
            ("1\t1\t5\t1\nx\t2\t3\t1\n", "u.data line 2: user id 'x' is not a whole number"),
            ("1\t1\t5\t1\n\n1\t2\t6\t1\n", "u.data line 3: rating '6' is out of range"),
            ("1\t1\t5\t1\n1\t2\t3.5\t1\n", "u.data line 2: rating '3.5' is out of range"),
            ("1\t1\t5\t1\n1\t2\tgood\t1\n", "u.data line 2: rating 'good' is not a number"),
            ("1\t1\t5\t1\n9\t2\t3\t1\n", "u.data line 2: unknown user id 9"),
            ("1\t1\t5\t1\n1\t99\t3\t1\n", "u.data line 2: unknown movie id 99"),
            ("1\t1\t5\tsoon\n", "u.data line 1: timestamp 'soon' is not a whole number"),
        ]
        for (data, expected) in cases {
            let dir = try DataFixtures.directory(DataFixtures.ml100kFiles(data: data))
            let text = message { try MovieLensLoader.load(directory: dir) }
            #expect(text.contains(expected), "\(text)")
            #expect(text.hasPrefix(dir), "\(text)")
        }
    }

    @Test func brokenItemAndUserLinesNameFileAndLine() throws {
        let item = DataFixtures.latin1("1|Toy Story (1995)|01-Jan-1995||u|\(DataFixtures.flags([3]))\n"
                                       + "2|Short|line\n")
        let dir = try DataFixtures.directory(DataFixtures.ml100kFiles(item: item))
        #expect(message { try MovieLensLoader.load(directory: dir) }.contains("u.item line 2: expected 24 '|'-separated fields"))

        let badFlag = DataFixtures.latin1("1|A (1995)|||u|\(DataFixtures.flags([3]).replacingOccurrences(of: "1", with: "2"))\n")
        let dir2 = try DataFixtures.directory(DataFixtures.ml100kFiles(item: badFlag))
        #expect(message { try MovieLensLoader.load(directory: dir2) }.contains("u.item line 1: genre flag Animation is '2'"))

        let dupe = DataFixtures.latin1("1|A|||u|\(DataFixtures.flags([]))\n1|B|||u|\(DataFixtures.flags([]))\n")
        let dir3 = try DataFixtures.directory(DataFixtures.ml100kFiles(item: dupe))
        #expect(message { try MovieLensLoader.load(directory: dir3) }.contains("u.item line 2: duplicate movie id 1 (first on line 1)"))

        let userCases: [(String, String)] = [
            ("1|24|M|technician|85711\n2|old|F|writer|1\n", "u.user line 2: age 'old'"),
            ("1|24|M|technician|85711\n2|30|X|writer|1\n", "u.user line 2: gender 'X' is neither F nor M"),
            ("1|24|M|technician|85711\n2|30|F|pilot|1\n", "u.user line 2: occupation 'pilot' is not listed in u.occupation"),
            ("1|24|M|technician\n", "u.user line 1: expected 5 '|'-separated fields"),
        ]
        for (user, expected) in userCases {
            let d = try DataFixtures.directory(DataFixtures.ml100kFiles(user: user))
            let text = message { try MovieLensLoader.load(directory: d) }
            #expect(text.contains(expected), "\(text)")
        }
    }

    @Test func missingFilesAndDirectoriesAreClearErrors() throws {
        #expect(message { try MovieLensLoader.load(directory: "/nonexistent/recsh") }.contains("no such directory"))
        let empty = try DataFixtures.makeTempDirectory()
        #expect(message { try MovieLensLoader.load(directory: empty) }.contains("no MovieLens files found"))
        var files = DataFixtures.ml100kFiles()
        files["u.user"] = nil
        let dir = try DataFixtures.directory(files)
        #expect(message { try MovieLensLoader.load(directory: dir) }.contains("u.user: file not found"))
    }

    @Test func crlfLineEndingsAndTrailingBlankLinesAreAccepted() throws {
        let data = "1\t1\t5\t1\r\n2\t2\t3\t2\r\n\r\n\n"
        let d = try MovieLensLoader.load(directory: try DataFixtures.directory(DataFixtures.ml100kFiles(data: data)))
        #expect(d.ratings.count == 2)
    }

    // MARK: ml-1m

    static let ml1mFiles: [String: [UInt8]] = [
        "ratings.dat": DataFixtures.utf8("1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n"
                                         + "2::30::1::978300275\n3::30::5::978824291\n"),
        "movies.dat": DataFixtures.latin1("10::Toy Story (1995)::Animation|Children's|Comedy\n"
                                          + "20::Jumanji (1995)::Adventure|Children's|Fantasy\n"
                                          + "30::Cité des enfants perdus, La (1995)::Adventure|Sci-Fi\n"),
        "users.dat": DataFixtures.utf8("1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n"),
    ]

    @Test func readsTinyML1M() throws {
        let dir = try DataFixtures.directory(Self.ml1mFiles)
        #expect(MovieLensLoader.detectLayout(directory: dir) == .ml1m)
        let d = try MovieLensLoader.load(directory: dir)
        #expect(d.name == "ml-1m" && d.layout == .ml1m)
        #expect(d.userCount == 3 && d.movieCount == 3 && d.ratings.count == 5 && d.positives.count == 4)
        #expect(d.movies[2].title == "Cité des enfants perdus, La (1995)")
        #expect(d.movies[1].genres == ["Adventure", "Children's", "Fantasy"])
        #expect(d.users[0] == User(id: 1, age: 1, gender: "F", occupation: "K-12 student", zip: "48067"))
        let f = try #require(d.userFeatures)
        #expect(f.cols == 24 && d.userFeatureNames.count == 24)
        #expect(f[1, 0] == 1 && f[0, 0] == Float(1.0 / 56.0))
        #expect(f[0, 1] == 1 && f[0, 2] == 0)
        #expect(f[0, 3 + 10] == 1 && f.row(0).reduce(0, +) == f[0, 0] + 2)
        let g = try #require(d.movieFeatures)
        #expect(g.cols == 18 && d.movieFeatureNames == Array(ML100KReader.standardGenres.dropFirst()))
        #expect(g[2, 1] == 1 && g[2, 14] == 1 && g.row(2).reduce(0, +) == 2)
        #expect(d.checksum == MovieLensLoader.sha256Hex(Self.ml1mFiles["ratings.dat"]!))
    }

    @Test func brokenML1MLinesNameFileAndLine() throws {
        var files = Self.ml1mFiles
        files["ratings.dat"] = DataFixtures.utf8("1::10::5::978300760\n1::20::3\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("ratings.dat line 2: expected 4 '::'-separated fields"))
        files = Self.ml1mFiles
        files["users.dat"] = DataFixtures.utf8("1::F::1::10::48067\n2::M::57::16::70072\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("users.dat line 2: age code '57'"))
        files = Self.ml1mFiles
        files["movies.dat"] = DataFixtures.latin1("10::Toy Story (1995)\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("movies.dat line 1: expected 3 '::'-separated fields"))
        files = Self.ml1mFiles
        files["ratings.dat"] = DataFixtures.utf8("1::10::5::978300760\n\n4::10::5::978300760\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("ratings.dat line 3: unknown user id 4"))
    }

    // MARK: ml-latest

    static let latestFiles: [String: [UInt8]] = [
        "ratings.csv": DataFixtures.utf8("userId,movieId,rating,timestamp\n7,1,4.0,964982703\n7,3,2.5,964981247\n"
                                         + "5,2,0.5,964982224\n5,1,3.5,964983815\n"),
        "movies.csv": DataFixtures.utf8("movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children\n"
                                        + "2,\"American President, The (1995)\",Comedy|Drama|Romance\n"
                                        + "3,\"\"\"Great Performances\"\" Cats (1998)\",(no genres listed)\n"
                                        + "4,Amélie (2001),Comedy|Romance\n"),
    ]

    @Test func readsTinyMLLatestCSV() throws {
        let dir = try DataFixtures.directory(Self.latestFiles)
        #expect(MovieLensLoader.detectLayout(directory: dir) == .mlLatest)
        let d = try MovieLensLoader.load(directory: dir)
        #expect(d.layout == .mlLatest && d.name == "ml-latest")
        #expect(d.users.map(\.id) == [5, 7])
        #expect(d.movieCount == 4 && d.ratings.count == 4)
        #expect(d.positives.count == 2) // 4.0 and 3.5
        #expect(d.movies[1].title == "American President, The (1995)")
        #expect(d.movies[2].title == "\"Great Performances\" Cats (1998)")
        #expect(d.movies[3].title == "Amélie (2001)")
        #expect(d.userFeatures == nil && d.userFeatureNames.isEmpty)
        #expect(d.movieFeatureNames == ["Adventure", "Animation", "Children", "Comedy", "Drama", "Romance"])
        let g = try #require(d.movieFeatures)
        #expect(g.row(2).allSatisfy { $0 == 0 })
        #expect(g.row(1) == [0, 0, 0, 1, 1, 1])
        #expect(d.ratings[1] == Rating(user: 1, movie: 2, value: 2.5, timestamp: 964_981_247))
    }

    @Test func brokenCSVLinesNameFileAndLine() throws {
        var files = Self.latestFiles
        files["ratings.csv"] = DataFixtures.utf8("userId,movieId,rating,timestamp\n7,1,4.0,964982703\n7,1,5.5,1\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("ratings.csv line 3: rating '5.5' is out of range"))
        files["ratings.csv"] = DataFixtures.utf8("userId,movieId,rating,timestamp\n7,1,4.25,964982703\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("ratings.csv line 2: rating '4.25' is out of range"))
        files["ratings.csv"] = DataFixtures.utf8("user,movie,rating,time\n7,1,4.0,964982703\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("ratings.csv line 1: expected the header 'userId,movieId,rating,timestamp'"))
        files["ratings.csv"] = DataFixtures.utf8("userId,movieId,rating,timestamp\n7,1,4.0,964982703\n7,99,4.0,1\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("ratings.csv line 3: unknown movie id 99"))
        files = Self.latestFiles
        files["movies.csv"] = DataFixtures.utf8("movieId,title,genres\n1,Toy Story (1995),Comedy\n"
                                                + "2,American President, The (1995),Comedy\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("movies.csv line 3: expected 3 comma-separated fields"))
        files["movies.csv"] = DataFixtures.utf8("movieId,title,genres\n1,\"Toy Story (1995),Comedy\n")
        #expect(message { try MovieLensLoader.load(directory: try DataFixtures.directory(files)) }
            .contains("movies.csv line 2: unterminated quoted field"))
    }

    @Test func parentDirectoryWithOneDataSetIsFollowed() throws {
        var nested: [String: [UInt8]] = [:]
        for (name, bytes) in DataFixtures.ml100kFiles() { nested["ml-100k/" + name] = bytes }
        let dir = try DataFixtures.directory(nested)
        let d = try MovieLensLoader.load(directory: dir)
        #expect(d.directory.hasSuffix("ml-100k") && d.userCount == 4)

        for (name, bytes) in Self.ml1mFiles { nested["ml-1m/" + name] = bytes }
        let two = try DataFixtures.directory(nested)
        #expect(message { try MovieLensLoader.load(directory: two) }.contains("several data sets inside (ml-100k, ml-1m)"))
        #expect(try MovieLensLoader.load(directory: two + "/ml-1m").layout == .ml1m)
    }
}
