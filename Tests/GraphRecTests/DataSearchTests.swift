import Testing
@testable import GraphRec

/// Title search, id/title resolution and the profile helpers on the real data.
@Suite struct DataSearchTests {
    func errorMessage(_ body: () throws -> Int) -> String {
        do {
            let value = try body()
            Issue.record("expected a RecError, got \(value)")
        } catch let error as RecError {
            return error.message
        } catch {
            Issue.record("unexpected \(error)")
        }
        return ""
    }

    @Test func findIsCaseAndDiacriticInsensitive() throws {
        let d = try DataFixtures.realDataset()
        let found = d.findMovies(matching: "MISERABLES")
        #expect(found.map { d.movies[$0].id } == [543])
        #expect(d.findMovies(matching: "cold fever").map { d.movies[$0].id } == [1633])
        #expect(d.findMovies(matching: "star wars").map { d.movies[$0].id } == [50])
        #expect(d.findMovies(matching: "   ").isEmpty)
        #expect(d.findMovies(matching: "no such film xyz").isEmpty)
        #expect(d.findMovies(matching: "toy story").count == 1)
    }

    @Test func resolveMovieByIdAndTitle() throws {
        let d = try DataFixtures.realDataset()
        #expect(try d.resolveMovie("1") == d.movieIndex(id: 1))
        #expect(try d.resolveMovie("\"Toy Story (1995)\"") == d.movieIndex(id: 1))
        #expect(try d.resolveMovie("toy story") == d.movieIndex(id: 1))
        #expect(try d.resolveMovie("Misérables") == d.movieIndex(id: 543))
        #expect(try d.resolveMovie("Heat (1995)") == d.movieIndex(id: 273))
        #expect(try d.resolveMovie("heat") == d.movieIndex(id: 273)) // not Heathers (1989)
        #expect(try d.resolveMovie("Star Wars") == d.movieIndex(id: 50))
        #expect(try d.resolveMovie("Godfather, The (1972)") == d.movieIndex(id: 127))
        #expect(try d.resolveMovie("The Godfather") == d.movieIndex(id: 127))
    }

    @Test func exactTitleWinsOverSubstrings() throws {
        let d = try DataFixtures.realDataset()
        // "Alien (1979)" is a substring of nothing else, but "Alien" alone is a substring of
        // Aliens, Alien 3, Alien: Resurrection: the without-year level picks Alien (1979).
        let alien = try #require(d.findMovies(matching: "Alien (1979)").first)
        #expect(d.findMovies(matching: "alien").count > 1)
        #expect(try d.resolveMovie("alien") == alien)
    }

    @Test func ambiguousAndMissingTitlesExplainThemselves() throws {
        let d = try DataFixtures.realDataset()
        let ambiguous = errorMessage { try d.resolveMovie("Chasing Amy (1997)") }
        #expect(ambiguous.contains("ambiguous"))
        #expect(ambiguous.contains("246 Chasing Amy (1997)") && ambiguous.contains("268 Chasing Amy (1997)"))
        let iceStorm = errorMessage { try d.resolveMovie("The Ice Storm") }
        #expect(iceStorm.contains("305 Ice Storm, The (1997)") && iceStorm.contains("865 Ice Storm, The (1997)"))
        let many = errorMessage { try d.resolveMovie("star") }
        #expect(many.contains("ambiguous") && many.contains("more"))
        let none = errorMessage { try d.resolveMovie("no such film xyz") }
        #expect(none.contains("no movie title in ml-100k matches 'no such film xyz'"))
        let badID = errorMessage { try d.resolveMovie("99999") }
        #expect(badID.contains("unknown movie id 99999") && badID.contains("1...1682"))
    }

    @Test func resolveUser() throws {
        let d = try DataFixtures.realDataset()
        #expect(try d.resolveUser("1") == 0)
        #expect(try d.resolveUser(" 943 ") == 942)
        #expect(errorMessage { try d.resolveUser("944") } == "unknown user id 944 in ml-100k (ids run 1...943)")
        #expect(errorMessage { try d.resolveUser("bob") }.contains("expected a user id"))
    }

    @Test func profileHelpers() throws {
        let d = try DataFixtures.realDataset()
        let u = try d.resolveUser("1")
        let rated = d.ratings(ofUser: u)
        #expect(rated.count == 272) // user 1 rated 272 movies
        #expect(rated.allSatisfy { Int($0.user) == u })
        #expect(zip(rated, rated.dropFirst()).allSatisfy { $0.value >= $1.value })
        let stats = d.ratingStats(ofUser: u)
        #expect(stats.count == 272 && stats.positives == rated.filter { $0.value >= 3 }.count)
        let m = try d.resolveMovie("50")
        let raters = d.ratings(ofMovie: m)
        #expect(raters.count == 583) // Star Wars has the most ratings
        #expect(raters.count == d.ratingStats(ofMovie: m).count)
        #expect(abs(d.ratingStats(ofMovie: m).mean - 4.358) < 0.001)
        let f = try #require(d.features(ofUser: u))
        #expect(f.count == 24 && f[2].name == "gender:M" && f[2].value == 1)
        #expect(try #require(d.features(ofMovie: 0)).filter { $0.value == 1 }.map(\.name)
                == ["Animation", "Children's", "Comedy"])
    }

    @Test func newUserFeatureRowMatchesLoadedRows() throws {
        let d = try DataFixtures.realDataset()
        let row = try d.userFeatureRow(age: 24, gender: "m", occupation: "Technician")
        #expect(row == (try #require(d.userFeatures)).row(0))
        #expect(throws: RecError.self) { try d.userFeatureRow(age: 30, gender: "X", occupation: nil) }
        #expect(throws: RecError.self) { try d.userFeatureRow(age: nil, gender: nil, occupation: "pilot") }
    }
}
