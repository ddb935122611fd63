import Foundation
import Testing
@testable import GraphRec

/// Every MovieLens layout by directory (ml-10m's `::` files without users,
/// CSV releases named by their folder) and generic rating tables: string
/// ids, implicit rows, headers, column choice, titles.
@Suite struct LayoutAndTableTests {
    func message(_ body: () throws -> Any) -> String { recErrorMessage(body) }

    static let ml10mFiles: [String: [UInt8]] = [
        "ml-10M100K/ratings.dat": DataFixtures.utf8("5::10::4.5::838985046\n5::20::3::838983525\n"
                                                     + "2::10::0.5::838983392\n2::30::5::838983421\n"),
        "ml-10M100K/movies.dat": DataFixtures.utf8("10::Toy Story (1995)::Adventure|Animation|IMAX\n"
                                                    + "20::Jumanji (1995)::(no genres listed)\n"
                                                    + "30::Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)::Comedy|Romance\n"),
    ]

    @Test func readsML10MWithoutUsersAndWithHalfStars() throws {
        let parent = try DataFixtures.directory(Self.ml10mFiles)
        let d = try MovieLensLoader.load(directory: parent)
        #expect(d.layout == .ml10m && d.name == "ml-10m")
        #expect(d.users.map(\.id) == [2, 5] && d.userFeatures == nil)
        #expect(d.ratings.count == 4 && d.positives.count == 3)
        #expect(d.movies[2].title.hasPrefix("Amélie"))
        #expect(d.movieFeatureNames == ML1MReader.genres + ["IMAX"])
        let g = try #require(d.movieFeatures)
        #expect(g.cols == 19 && g[0, 18] == 1 && g.row(1).allSatisfy { $0 == 0 })
        #expect(d.contents == Dataset.Contents(userFeatures: false, movieFeatures: true, ratings: true, timestamps: true))
        #expect(d.ratings.contains(Rating(user: 1, movie: 0, value: 4.5, timestamp: 838_985_046)))
    }

    @Test func csvReleasesAreNamedByTheirFolder() throws {
        var files: [String: [UInt8]] = [:]
        for (name, bytes) in LoaderFixtureTests.latestFiles { files["ml-25m/" + name] = bytes }
        let d = try MovieLensLoader.load(directory: try DataFixtures.directory(files))
        #expect(d.name == "ml-25m" && d.layout == .mlLatest)
        #expect(d.movies[1].title == "American President, The (1995)")
        #expect(d.movies[2].title == "\"Great Performances\" Cats (1998)")
    }

    @Test func ml1mGenresOutsideTheReadmeBecomeExtraColumns() throws {
        var files = LoaderFixtureTests.ml1mFiles
        files["movies.dat"] = DataFixtures.latin1("10::Toy Story (1995)::Animation|Cartoon\n20::Jumanji (1995)::Fantasy\n"
                                                  + "30::X (1995)::Sci-Fi\n")
        let d = try MovieLensLoader.load(directory: try DataFixtures.directory(files))
        #expect(d.movieFeatureNames == ML1MReader.genres + ["Cartoon"])
        #expect(d.userFeatures?.cols == 24)
    }

    // MARK: rating tables

    func table(_ text: String, name: String = "ratings.tsv", _ configure: (inout RatingTable.Options) -> Void = { _ in })
        throws -> Dataset {
        let dir = try DataFixtures.directory([name: DataFixtures.utf8(text)])
        var options = RatingTable.Options()
        configure(&options)
        return try RatingTable.load(file: dir + "/" + name, options: options)
    }

    @Test func aTSVWithTextIdsMapsToDenseIndicesAndBack() throws {
        let d = try table("user\tbook\tscore\nu_b\t0-553\t5\nu_a\t0-553\t2\nu_b\t1-111\t4\nu_a\t007\t3\n") {
            $0.item = .name("book")
        }
        #expect(d.layout == .table && d.name == "ratings")
        #expect(d.users.map(\.id) == ["u_a", "u_b"] && !d.userIDsAreNumbers)
        #expect(d.movies.map(\.id) == ["0-553", "007", "1-111"] && !d.movieIDsAreNumbers)
        #expect(d.ratings.count == 4 && d.positives.count == 3)
        #expect(d.ratings[0] == Rating(user: 1, movie: 0, value: 5, timestamp: 0))
        #expect(!d.hasTimestamps && !d.implicit && d.userFeatures == nil && d.movieFeatures == nil)
        #expect(try d.resolveUser("u_b") == 1)
        #expect(try d.resolveMovie("007") == 1)
        #expect(message { try d.resolveUser("u_z") }.contains("unknown user id u_z"))
    }

    @Test func numericIdsStayNumbersAndSortByValue() throws {
        let d = try table("10,2,4.0,100\n9,2,3.5,101\n10,11,1,102\n", name: "r.csv")
        #expect(d.users.map(\.id) == [9, 10] && d.userIDsAreNumbers)
        #expect(d.movies.map(\.id) == [2, 11] && d.movieIDsAreNumbers)
        #expect(d.hasTimestamps && d.ratings[0].timestamp == 100)
        #expect(d.userIndex(id: 10) == 1)
    }

    @Test func implicitRowsAreAllPositives() throws {
        let d = try table("alice,matrix\nbob,matrix\nalice,heat\n", name: "clicks.csv") { $0.minRating = 4 }
        #expect(d.implicit && d.minRating == 1 && d.ratings.count == 3 && d.positives.count == 3)
        #expect(d.contents.ratings == false)
        let e = try table("u\ti\tr\n1\t1\t5\n", name: "x.tsv") { $0.rating = .absent; $0.header = true }
        #expect(e.implicit && e.positives.count == 1)
    }

    @Test func titlesNameItemsAndGiveGenreFeatures() throws {
        let dir = try DataFixtures.directory([
            "r.csv": DataFixtures.utf8("userId,movieId,rating\n1,10,5\n2,20,4\n"),
            "t.csv": DataFixtures.utf8("movieId,title,genres\n10,\"Heat, The (1995)\",Action|Crime\n20,Up (2009),Comedy\n"
                                       + "30,Unrated (2000),Drama\n"),
        ])
        var options = RatingTable.Options()
        options.titles = dir + "/t.csv"
        let d = try RatingTable.load(file: dir + "/r.csv", options: options)
        #expect(d.movieCount == 3 && d.movies[0].title == "Heat, The (1995)" && d.movies[2].title == "Unrated (2000)")
        #expect(d.movieFeatureNames == ["Action", "Comedy", "Crime", "Drama"])
        #expect(d.movieFeatures?.row(0) == [1, 0, 1, 0])
    }

    @Test func tableErrorsNameFileLineAndColumn() throws {
        #expect(message { try table("1,2,good\n", name: "a.csv") { $0.rating = .position(2) } }
            .contains("a.csv line 1: rating 'good' is not a number"))
        #expect(message { try table("1,2,3\n4\n", name: "b.csv") }.contains("b.csv line 2: expected at least 3 fields"))
        #expect(message { try table("user,item\n1,2\n", name: "c.csv") { $0.rating = .name("stars") } }
            .contains("rating=stars: no such column"))
        #expect(message { try table("1,2\n", name: "d.csv") { $0.time = .position(5) } }.contains("time=6: "))
        #expect(message { try table("", name: "e.csv") }.contains("e.csv: no ratings"))
        #expect(message { try table("user,item,rating\n", name: "f.csv") }.contains("f.csv: no ratings"))
        #expect(message { try table("1 2 3\n", name: "g.txt") }.contains("no separator found"))
        let skipped = try table("1,2,5\n1,x\n2,2,4\n", name: "h.csv") { $0.badLines = .skip; $0.rating = .position(2) }
        #expect(skipped.ratings.count == 2 && skipped.report.skipped.map(\.line) == [2])
    }

    @Test func duplicatePairsInATableKeepTheFirst() throws {
        let d = try table("1\t1\t5\n1\t1\t1\n2\t1\t4\n", name: "dup.tsv")
        #expect(d.ratings.count == 2 && d.report.duplicateRatings == 1 && d.ratings[0].value == 5)
    }
}
