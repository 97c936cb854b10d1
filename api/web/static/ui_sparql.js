// The SPARQL editor: CodeMirror 5 over the query textarea, example queries, results table.
// Results are built with textContent / DOM nodes only (never innerHTML), so a literal in
// the data cannot inject markup. Without JavaScript the form still works: it GETs /sparql.
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var dlCsv = document.getElementById("dl-csv");
  var dlJson = document.getElementById("dl-json");
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var base = document.body.getAttribute("data-base") || "";

  var editor = window.CodeMirror ? CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query",
    lineNumbers: true,
    matchBrackets: true,
    indentUnit: 2,
    viewportMargin: Infinity,
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run }
  }) : null;

  function getQuery() { return editor ? editor.getValue() : textarea.value; }
  function setQuery(text) { if (editor) { editor.setValue(text); } else { textarea.value = text; } }

  function show(message, kind) {
    status.textContent = message;
    status.className = "status" + (kind ? " " + kind : "");
  }

  // A link for an IRI: a path on this server when minted under the base, else the IRI
  // itself when it is a web IRI; anything else (javascript:, urn:) stays plain text.
  function hrefOf(iri) {
    if (base && iri.indexOf(base) === 0) { return "/" + iri.slice(base.length); }
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  // Short forms of well-known namespaces, so IRIs in the table stay readable.
  var PREFIXES = [
    ["cg:", "https://w3id.org/cubegraph/ontology#"], ["rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
    ["rdfs:", "http://www.w3.org/2000/01/rdf-schema#"], ["owl:", "http://www.w3.org/2002/07/owl#"],
    ["xsd:", "http://www.w3.org/2001/XMLSchema#"], ["dcat:", "http://www.w3.org/ns/dcat#"],
    ["dct:", "http://purl.org/dc/terms/"], ["prov:", "http://www.w3.org/ns/prov#"],
    ["mls:", "http://www.w3.org/ns/mls#"], ["qb:", "http://purl.org/linked-data/cube#"],
    ["sosa:", "http://www.w3.org/ns/sosa/"], ["skos:", "http://www.w3.org/2004/02/skos/core#"]
  ];

  function compact(iri) {
    if (base && iri.indexOf(base) === 0 && iri.length > base.length) { return "/" + iri.slice(base.length); }
    for (var i = 0; i < PREFIXES.length; i++) {
      if (iri.indexOf(PREFIXES[i][1]) === 0) { return PREFIXES[i][0] + iri.slice(PREFIXES[i][1].length); }
    }
    return iri;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var href = hrefOf(term.value);
      var node = document.createElement(href ? "a" : "span");
      if (href) { node.href = href; }
      node.title = term.value;
      node.textContent = compact(term.value);
      td.appendChild(node);
      td.className = "iri";
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else {
      td.textContent = term.value;
      if (term.datatype) { td.title = term.datatype; }
      if (term["xml:lang"]) { td.title = "@" + term["xml:lang"]; }
      // Typed values (numbers, dates, durations) never wrap; numbers align right.
      if (term.datatype) { td.className = "typed"; }
      if (term.datatype && /#(integer|decimal|double|float|int|long)$/.test(term.datatype)) {
        td.className = "typed n";
      }
    }
    return td;
  }

  function table(data) {
    var vars = data.head.vars || [];
    var t = document.createElement("table");
    t.className = "list results";
    var head = t.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    var body = t.createTBody();
    data.results.bindings.forEach(function (binding) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(binding[v])); });
    });
    return t;
  }

  function setDownloads(query, graph) {
    var one = function (format) {
      return "/sparql?" + new URLSearchParams({ query: query, format: format }).toString();
    };
    dlCsv.href = one(graph ? "turtle" : "csv");
    dlCsv.textContent = graph ? "Turtle" : "CSV";
    dlCsv.download = graph ? "results.ttl" : "results.csv";
    dlJson.href = one(graph ? "jsonld" : "json");
    dlJson.textContent = graph ? "JSON-LD" : "JSON";
    dlJson.download = graph ? "results.jsonld" : "results.json";
    downloads.hidden = false;
  }

  function run() {
    var query = getQuery();
    var started = performance.now();
    show("Running…", "busy");
    results.textContent = "";
    downloads.hidden = true;
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var truncated = response.headers.get("X-Cubegraph-Truncated") === "true";
      var ms = Math.round(performance.now() - started);
      if (!response.ok) {
        return response.text().then(function (text) {
          var message = text;
          try { message = JSON.parse(text).message || text; } catch (e) { /* plain text */ }
          show("Error " + response.status + ": " + message, "error");
        });
      }
      if (type.indexOf("json") >= 0) {
        return response.json().then(function (data) {
          if (typeof data.boolean === "boolean") {
            show("ASK answered " + data.boolean + " in " + ms + " ms", "ok");
          } else {
            var n = data.results.bindings.length;
            results.appendChild(table(data));
            show(n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms" +
                 (truncated ? " (truncated: page with LIMIT / OFFSET)" : ""), "ok");
          }
          setDownloads(query, false);
        });
      }
      return response.text().then(function (text) {
        var pre = document.createElement("pre");
        pre.className = "rdf";
        pre.textContent = text;
        results.appendChild(pre);
        show("Graph answered in " + ms + " ms" + (truncated ? " (truncated)" : ""), "ok");
        setDownloads(query, true);
      });
    }).catch(function (err) {
      show("The request failed: " + err, "error");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  document.querySelectorAll("[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var name = link.getAttribute("data-example");
      var example = examples.filter(function (e) { return e.name === name; })[0];
      if (!example) { return; }
      setQuery(example.query);
      document.querySelectorAll("[data-example]").forEach(function (other) {
        other.classList.toggle("chosen", other === link);
      });
      history.replaceState(null, "", "?example=" + encodeURIComponent(name));
      results.textContent = "";
      downloads.hidden = true;
      show("");
    });
  });
})();
