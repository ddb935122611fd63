/// The page's skeleton; app.js fills every panel from /api/ answers.
enum PageHTML {
    static let text = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>recsh session</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body data-status="loading">
<header>
  <h1>recsh <span class="dim">session</span></h1>
  <div id="session-info" class="dim">loading the session…</div>
  <div id="status" class="status">loading</div>
</header>
<main>
  <section id="who" class="panel">
    <h2>Who</h2>
    <form id="user-form" class="row">
      <label>User <input id="user-id" type="number" min="1" value="1"></label>
      <button type="submit">Show</button>
      <button type="button" id="user-random">Random</button>
    </form>
    <div id="user-profile" class="profile"></div>
    <details id="newuser" class="newuser">
      <summary>…or build a new user</summary>
      <form id="newuser-form">
        <div class="row">
          <label>Age <input id="nu-age" type="number" min="1" max="120" placeholder="25"></label>
          <label>Gender <select id="nu-gender"><option value="">–</option><option>F</option><option>M</option></select></label>
          <label>Occupation <select id="nu-occupation"><option value="">–</option></select></label>
        </div>
        <label class="block">Likes <input id="nu-search" type="search" placeholder="search titles, e.g. star wars" autocomplete="off"></label>
        <ul id="nu-results" class="results"></ul>
        <div id="nu-likes" class="chips"></div>
        <button type="submit">Recommend for this new user</button>
      </form>
    </details>
  </section>

  <section id="recs" class="panel wide">
    <h2 id="recs-title">Top-K of each trained model</h2>
    <div class="row small">
      <label>K <input id="k" type="number" min="1" max="50" value="10"></label>
      <span class="dim">♥ marks a movie to like in the what-if; hits (held-out val/test positives) are marked.</span>
    </div>
    <div id="rec-columns" class="columns"></div>
  </section>

  <section id="whatif" class="panel">
    <h2>What if…</h2>
    <div class="row small">
      <label>Model <select id="whatif-model"></select></label>
      <button type="button" id="whatif-reset">Reset</button>
    </div>
    <p class="dim small">Toggle ♥ on a recommendation to like it, or ✕ on one of the user's movies to unlike it:
      the model's forward pass runs again on the edited graph (no retraining) and the list moves.</p>
    <div id="whatif-edits" class="chips"></div>
    <ol id="whatif-list" class="moves"></ol>
    <div id="whatif-note" class="dim small"></div>
    <h3>The user's liked movies (training edges)</h3>
    <ul id="liked" class="liked"></ul>
  </section>

  <section id="attention" class="panel">
    <h2>Attention neighbourhood</h2>
    <div class="row small">
      <label>GAT <select id="att-model"></select></label>
      <label>Layer <select id="att-layer"></select></label>
      <label>Head <select id="att-head"></select></label>
      <label>Show <input id="att-top" type="number" min="3" max="40" value="12"></label>
    </div>
    <div id="att-graph"></div>
    <div id="att-legend" class="dim small"></div>
  </section>

  <section id="lsh" class="panel">
    <h2>LSH: random hyperplanes</h2>
    <div class="row small">
      <label>Model <select id="lsh-model"></select></label>
      <label>Planes <input id="lsh-planes" type="range" min="1" max="16" value="8"></label>
      <output id="lsh-planes-value">8</output>
    </div>
    <div id="lsh-result" class="lsh-result"></div>
    <div id="lsh-chart"></div>
    <div id="lsh-note" class="dim small"></div>
  </section>
</main>
<footer class="dim small">Every panel is an answer of a recsh command (<code>/api/COMMAND</code> returns its <code>--format json</code> object);
  the session is never changed from this page. <span id="last-call"></span></footer>
<script src="/assets/app.js"></script>
</body>
</html>
"""#
}
