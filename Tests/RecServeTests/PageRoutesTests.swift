import FlyingFox
import Foundation
import GraphRec
import RecShell
import Testing
@testable import RecServe

/// The allow-list, read off the registry.
@Suite struct SessionAPIAllowListTests {
    @Test func everyOfferedCommandExistsAndNothingThatChangesTheSessionIsOffered() throws {
        var registry = CommandRegistry.standard
        registry.add(ServeCommand.spec)
        let api = SessionAPI(session: Session(), registry: registry)
        for name in SessionAPI.readOnlyCommands {
            #expect(registry.spec(named: name) != nil, "\(name) is offered but the shell has no such command")
        }
        #expect(Set(api.allowed.keys) == SessionAPI.readOnlyCommands)
        for name in ["load", "split", "train", "save", "restore", "export", "set", "run", "bench", "compare",
                     "quit", "serve", "timer", "format", "plot", "sleep"] {
            #expect(api.allowed[name] == nil, "\(name) must not be offered to the page")
        }
        // Options that name files are left out of what the page may pass.
        #expect(api.allowed["lsh"]?.contains("svg") == false)
        #expect(api.allowed["lsh"]?.contains("planes") == true)
        #expect(api.allowed["recommend"] == Set(["model", "k", "lsh", "top", "by"]))
    }

    @Test func wordsAreQuotedSoNoSecondCommandCanHide() {
        let call = SessionAPI.Call(command: "recommend", arguments: ["1; save x", "a\"b"], options: ["model": "g #c"])
        #expect(call.line == #"recommend "1; save x" "a\"b" model="g #c""#)
    }
}

/// Every route through the handler itself (FlyingFox's `HTTPHandler`), no socket.
@Suite(.serialized, .enabled(if: ServeTestData.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct PageRoutesTests {
    @Test func thePageAndItsAssetsAreServed() async throws {
        let routes = PageRoutes(api: try ServeTestData.api())
        let page = try await routes.send(.GET, "/")
        #expect(page.status == 200)
        #expect(page.text.contains("<script src=\"/assets/app.js\"></script>"))
        for name in PageAssets.files.keys {
            let asset = try await routes.send(.GET, "/assets/\(name)")
            #expect(asset.status == 200, "\(name)")
            #expect(asset.text == PageAssets.files[name]?.text)
        }
        // No reference leaves the machine: no http(s) URLs in any asset but the SVG namespace.
        for (name, asset) in PageAssets.files {
            let external = asset.text.components(separatedBy: "http").dropFirst().filter { !$0.hasPrefix("://www.w3.org/2000/svg") }
            #expect(external.isEmpty, "\(name) refers to an outside address")
        }
    }

    @Test func pathsOutsideTheAssetSetAreRefusedAsJSON() async throws {
        let routes = PageRoutes(api: try ServeTestData.api())
        for target in ["/assets/../Package.swift", "/../../etc/passwd", "/assets/%2e%2e/app.js", "/api/../assets/app.js"] {
            let reply = try await routes.send(.GET, target)
            #expect(reply.status == 400, "\(target): \(reply.text)")
            #expect(reply.ok == false)
            #expect(reply.error.contains(".."), "\(target): \(reply.error)")
        }
        for target in ["/etc/passwd", "/assets/", "/assets/nope.js", "/index.html/x", "/Package.swift"] {
            let reply = try await routes.send(.GET, target)
            #expect(reply.status == 404, "\(target)")
            #expect(reply.ok == false)
        }
        let post = try await routes.send(.POST, "/")
        #expect(post.status == 405)
    }

    @Test func allowedCommandsAnswerWithTheShellsJSON() async throws {
        let api = try ServeTestData.api()
        let routes = PageRoutes(api: api)
        let session = try ServeTestData.session.get()
        let graph = try #require(session.graph)
        let dataset = try #require(session.dataset)
        // A movie user 1 has no training edge to, for the what-if.
        let owned = Set(graph.movies(ofUser: 0).map { Int($0) })
        let unseen = try #require((0..<dataset.movieCount).first { !owned.contains($0) })
        let unseenID = dataset.movies[unseen].id
        let calls: [(String, String, [String: (Any) -> Bool])] = [
            ("info", "{}", ["users": { $0 as? Int == 943 }, "movies": { $0 as? Int == 1682 }]),
            ("models", "", ["models": { ($0 as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["gcn", "gat"] }]),
            ("find", #"{"args": ["star wars"], "options": {"limit": 3}}"#, ["movies": { ($0 as? [Any])?.isEmpty == false }]),
            ("user", #"{"args": [1]}"#, ["user": { $0 as? Int == 1 }]),
            ("movie", #"{"args": [50]}"#, ["movie": { $0 as? Int == 50 }]),
            ("recommend", #"{"args": ["1", "why"], "options": {"model": "gat", "k": 5}}"#,
             ["items": { ($0 as? [Any])?.count == 5 }, "why": { $0 as? String == "leave_one_out" },
              "attention_paths": { $0 as? Bool == true }]),
            ("similar", #"{"args": ["50"], "options": {"k": 3}}"#, ["items": { ($0 as? [Any])?.count == 3 }]),
            ("attention", #"{"args": ["user", "1"], "options": {"model": "gat", "top": 5}}"#,
             ["views": { ($0 as? [Any])?.isEmpty == false }]),
            ("whatif", #"{"args": ["user", "1", "likes", "\#(unseenID)"], "options": {"model": "gcn", "k": 5}}"#,
             ["after": { ($0 as? [Any])?.count == 5 }]),
            ("newuser", #"{"options": {"age": 25, "gender": "F", "occupation": "student", "likes": "50,181", "model": "gat"}}"#,
             ["items": { ($0 as? [Any])?.count == 10 }]),
            ("lsh", #"{"options": {"planes": 4, "runs": 1, "model": "gcn"}}"#,
             ["planes": { $0 as? Int == 4 }, "recall_vs_exact": { ($0 as? Double).map { (0...1).contains($0) } == true }]),
            ("eval", #"{"args": ["gcn"], "options": {"on": "val"}}"#, ["results": { ($0 as? [Any])?.count == 1 }]),
            ("help", #"{"args": ["recommend"]}"#, [:]),
            ("show", "", [:]),
        ]
        for (command, body, checks) in calls {
            let reply = try await routes.send(.POST, "/api/\(command)", body: body)
            #expect(reply.status == 200, "\(command): \(reply.text)")
            #expect(reply.ok == true, "\(command): \(reply.text)")
            #expect(reply.object["command"] as? String == command)
            for (key, check) in checks {
                #expect(reply.object[key].map(check) == true, "\(command).\(key): \(reply.text.prefix(300))")
            }
        }
        // GET takes positional words as arg= and options as key=value.
        let get = try await routes.send(.GET, "/api/recommend?arg=1&model=gcn&k=3")
        #expect(get.status == 200, "\(get.text)")
        #expect((get.object["items"] as? [Any])?.count == 3)
    }

    @Test func theAnswerIsTheShellsOwnJSONLine() async throws {
        let api = try ServeTestData.api()
        let harness = Shell(session: try ServeTestData.session.get(), registry: api.registry, environment: .plain)
        var printed = ""
        harness.writeOut = { printed += $0 }
        harness.session.settings.format = .json
        harness.run(line: "recommend 1 model=gcn k=4 why")
        let reply = try await PageRoutes(api: api).send(.POST, "/api/recommend",
                                                       body: #"{"args": ["1", "why"], "options": {"model": "gcn", "k": "4"}}"#)
        #expect(reply.text == printed, "the page must see exactly what --format json prints")
    }

    @Test func badRequestsGet4xxJSONAndLeaveTheSessionAsItWas() async throws {
        let api = try ServeTestData.api()
        let routes = PageRoutes(api: api)
        let before = try await routes.send(.POST, "/api/recommend", body: #"{"args": ["1"], "options": {"model": "gcn"}}"#)
        let cases: [(String, String, Int, String)] = [
            ("/api/recommend", #"{"args": ["99999"]}"#, 400, "unknown user id 99999"),
            ("/api/user", #"{"args": ["nobody"]}"#, 400, "user"),
            ("/api/recommend", #"{"args": ["1"#, 400, "not valid JSON"),
            ("/api/recommend", #"["1"]"#, 400, "JSON object"),
            ("/api/recommend", #"{"args": "1"}"#, 400, "list"),
            ("/api/recommend", #"{"args": [["1"]]}"#, 400, "string or a number"),
            ("/api/recommend", #"{"argz": ["1"]}"#, 400, "unknown key"),
            ("/api/recommend", #"{"args": ["1"], "options": {"bogus": "1"}}"#, 400, "unknown option 'bogus'"),
            ("/api/recommend", #"{"args": ["1"], "options": {"x y": "1"}}"#, 400, "not an option name"),
            ("/api/recommend", #"{"args": ["1\nsave x"]}"#, 400, "control characters"),
            ("/api/recommend", #"{"args": ["1; save x"]}"#, 400, "user"),
            ("/api/whatif", #"{"args": ["user", "1", "likes", "no such movie at all"], "options": {"model": "gcn"}}"#, 400, "no such movie at all"),
            ("/api/train", #"{"args": ["gcn"]}"#, 403, "not available from the page"),
            ("/api/save", #"{"args": ["x"]}"#, 403, "not available from the page"),
            ("/api/load", #"{"args": ["ml-100k"]}"#, 403, "not available from the page"),
            ("/api/serve", "", 403, "not available from the page"),
            ("/api/quit", "", 403, "not available from the page"),
            ("/api/lsh", #"{"args": ["bench"], "options": {"items": 1000000}}"#, 403, "runs long"),
            ("/api/lsh", #"{"args": ["sweep"], "options": {"svg": "/tmp/x.svg"}}"#, 403, "names a file"),
            ("/api/nonsense", "", 404, "unknown command"),
            ("/api/", "", 404, "/api/COMMAND"),
        ]
        for (path, body, status, message) in cases {
            let reply = try await routes.send(.POST, path, body: body)
            #expect(reply.status == status, "\(path) \(body): \(reply.text)")
            #expect(reply.ok == false, "\(path) \(body)")
            #expect(reply.error.contains(message), "\(path) \(body): \(reply.error)")
        }
        let put = try await routes.send(.PUT, "/api/models")
        #expect(put.status == 405)
        let twice = try await routes.send(.GET, "/api/recommend?arg=1&k=3&k=4")
        #expect(twice.status == 400)
        // A what-if answers on a copy: the session the page reads is the one it started with.
        let whatif = try await routes.send(.POST, "/api/whatif", body: #"{"args": ["user", "1", "drops", "\#(try firstLiked(api))"], "options": {"model": "gcn"}}"#)
        #expect(whatif.status == 200, "\(whatif.text)")
        let after = try await routes.send(.POST, "/api/recommend", body: #"{"args": ["1"], "options": {"model": "gcn"}}"#)
        #expect(after.text == before.text)
        #expect(api.session.models.map(\.name) == ["gcn", "gat"])
        #expect(api.session.graph?.edgeCount == (try ServeTestData.session.get()).graph?.edgeCount)
    }

    /// A movie id user 1 has a training edge to.
    func firstLiked(_ api: SessionAPI) throws -> Int {
        let graph = try #require(api.session.graph)
        let dataset = try #require(api.session.dataset)
        let first = try #require(graph.movies(ofUser: 0).first)
        return try #require(dataset.movies[Int(first)].id.number)
    }
}

/// What only a real socket shows: the request target as sent, a 10 MB body, the bound address.
@Suite(.serialized, .enabled(if: ServeTestData.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct PageServerLoopbackTests {
    @Test func aTenMegabyteBodyIsRefusedWith413() async throws {
        let server = try await PageServer.start(api: try ServeTestData.api(), host: "127.0.0.1", port: 0)
        let big = Data(repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        let reply = try await loopback(server, "POST", "/api/recommend", body: big)
        #expect(reply.status == 413, "\(reply.text)")
        #expect(reply.ok == false)
        #expect(reply.error.contains("over the limit"))
        // The server still answers afterwards.
        let models = try await loopback(server, "GET", "/api/models")
        #expect(models.status == 200)
        await server.stop()
    }

    @Test func dotDotSentRawOnTheWireIsRefused() async throws {
        let server = try await PageServer.start(api: try ServeTestData.api(), host: "127.0.0.1", port: 0)
        let port = server.port
        let answer = try await Task.detached {
            try rawRequest(port: port, "GET /assets/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }.value
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
        #expect(answer.contains("\"ok\":false"))
        #expect(!answer.contains("root:"))
        await server.stop()
    }

    @Test func servesOnLoopbackAndSaysWhyItCannotListen() async throws {
        let server = try await PageServer.start(api: try ServeTestData.api(), host: "127.0.0.1", port: 0)
        #expect(server.port > 0)
        #expect(server.url == "http://127.0.0.1:\(server.port)/")
        let page = try await loopback(server, "GET", "/")
        #expect(page.status == 200)
        await #expect(throws: ShellError.self) {
            _ = try await PageServer.start(api: try ServeTestData.api(), host: "127.0.0.1", port: server.port)
        }
        await server.stop()
        await #expect(throws: ShellError.self) {
            _ = try await PageServer.start(api: try ServeTestData.api(), host: "not-an-address", port: 0)
        }
    }
}
