/// The page's files, compiled into the binary: plain HTML, CSS and
/// JavaScript with no external references (the machine may have no network).
/// The server serves these names and nothing else.
public enum PageAssets {
    public struct Asset: Sendable {
        public var contentType: String
        public var text: String
    }

    public static let files: [String: Asset] = [
        "index.html": Asset(contentType: "text/html; charset=utf-8", text: PageHTML.text),
        "style.css": Asset(contentType: "text/css; charset=utf-8", text: PageCSS.text),
        "app.js": Asset(contentType: "text/javascript; charset=utf-8", text: PageJS.text),
    ]
}
