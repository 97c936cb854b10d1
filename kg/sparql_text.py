"""What the store must know of a SPARQL text before pyoxigraph parses it.

- :func:`check_nesting`: a limit on how deeply it nests. pyoxigraph's parser recurses once per nested group, parenthesis or bracket; a few thousand
levels (a 20 KB query of ``((((…))))``) overflow its stack and end the process that parses
it: a query worker (the client got 503, not 400), and for an update the server itself.
Real queries nest a few levels deep, so :data:`MAX_DEPTH` levels are allowed, far above
any written by hand or by a tool, far below where the parser fails.
- :func:`names_default_graph`: whether a query names its own default graph (``FROM``).
  The store answers over the union of its graphs unless told otherwise, and pyoxigraph's
  union option overrides a query's ``FROM``: the store must leave it off for such a query
  (SPARQL 1.1, 13.2: the dataset clause defines the default graph).
- :func:`with_using`: an update's dataset given by the protocol (``using-graph-uri``,
  ``using-named-graph-uri``) written into the update as ``USING`` clauses, which pyoxigraph
  understands (its update call takes no dataset).
- :func:`evaluates_patterns`: whether an update matches patterns (a ``WHERE``) or fetches
  a document (``LOAD``), the updates whose running time the data or a remote host decides.
"""

from __future__ import annotations

import re

from cubegraph.kg.errors import QuerySyntaxError

__all__ = ["MAX_DEPTH", "check_nesting", "evaluates_patterns", "names_default_graph", "with_using"]

#: The deepest nesting of ``{ ( [`` accepted (the parser fails near 2,500 levels).
MAX_DEPTH = 200

# What can hold a bracket or the word FROM without being one: strings (long and short),
# IRIs, comments, and an escaped character of a prefixed name (ex:p\# is no comment).
_OPAQUE = r'''
    \\.
  | """(?:[^"\\]|\\.|"(?!""))*"""
  | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
  | "(?:[^"\\\n]|\\.)*"
  | '(?:[^'\\\n]|\\.)*'
  | <[^<>"{}|^`\\\x00-\x20]*>
  | \#[^\n]*
'''
_TOKENS = re.compile(_OPAQUE + r"| [{(\[] | [})\]]", re.VERBOSE)
_SKIP = re.compile(_OPAQUE, re.VERBOSE)
# The keyword FROM (not a variable ?from, not a prefixed name's part) and not FROM NAMED.
_FROM = re.compile(r"(?<![\w?$:.-])FROM\s+(?!NAMED(?![\w:]))", re.IGNORECASE)


def check_nesting(text: str, what: str = "query") -> None:
    """Refuse ``text`` when its groups, parentheses and brackets nest deeper than
    :data:`MAX_DEPTH`.

    Raises:
        QuerySyntaxError: naming the depth and the limit (an HTTP 400).
    """
    if text.count("{") + text.count("(") + text.count("[") <= MAX_DEPTH:
        return  # cannot nest that deep: the common case costs three counts
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "{([":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise QuerySyntaxError(
                    f"the {what} nests groups, parentheses or brackets more than {MAX_DEPTH} "
                    f"levels deep (line {line}): refused before parsing; "
                    "flatten it (a UNION of many branches, VALUES, or several queries)")
        elif token in "})]":
            depth = max(0, depth - 1)


def names_default_graph(text: str) -> bool:
    """Whether the query has a ``FROM <iri>`` clause (outside strings, IRIs and comments)."""
    if "from" not in text.lower():
        return False  # the common case: one scan
    plain = _SKIP.sub(" ", text)
    return _FROM.search(plain) is not None



# Words of an update's outer level (not a variable, not part of a prefixed name).
_WORD = r"(?<![\w?$:.-])(?P<word>WHERE|USING|WITH|DELETE|INSERT)(?![\w:-])"
_UPDATE_TOKENS = re.compile(_OPAQUE + r"| (?P<open>[{(\[]) | (?P<close>[})\]]) | " + _WORD,
                            re.VERBOSE | re.IGNORECASE)


def with_using(update: str, default_graphs, named_graphs) -> str:
    """``update`` with ``USING <g>`` for each of ``default_graphs`` and ``USING NAMED <g>``
    for each of ``named_graphs`` before the ``WHERE`` of each of its operations (SPARQL 1.1
    Protocol 2.2.3: the parameters give the dataset of the update's patterns). A
    ``DELETE WHERE { P }`` becomes ``DELETE { P } USING … WHERE { P }``, its meaning.

    Raises:
        QuerySyntaxError: the update has its own ``USING`` or ``WITH`` (the protocol makes
            that an error), or an IRI that cannot be written.
    """
    clauses = " ".join([f"USING <{_iri(g)}>" for g in default_graphs or ()]
                       + [f"USING NAMED <{_iri(g)}>" for g in named_graphs or ()])
    if not clauses:
        return update
    out, last, depth, previous = [], 0, 0, None
    tokens = list(_UPDATE_TOKENS.finditer(update))
    for i, match in enumerate(tokens):
        if match.group("open"):
            if depth == 0:
                previous = "group"  # a template or pattern: DELETE { … } WHERE is no DELETE WHERE
            depth += 1
        elif match.group("close"):
            depth = max(0, depth - 1)
        elif match.group("word") and depth == 0:
            word = match.group("word").upper()
            if word in ("USING", "WITH"):
                raise QuerySyntaxError(
                    f"the update has its own {word} clause and the request gives "
                    "using-graph-uri / using-named-graph-uri: the protocol allows one or "
                    "the other")
            if word == "WHERE":
                head = update[last:match.start()]
                if previous == "DELETE":  # DELETE WHERE { P }: its pattern is its template
                    end = _group_end(tokens, i + 1)
                    if end is not None:
                        head += update[tokens[i + 1].start():end] + " "
                out += [head, clauses, " "]
                last = match.start()
            previous = word
    out.append(update[last:])
    return "".join(out)


def _group_end(tokens, start: int) -> int | None:
    """The end of the ``{ … }`` group whose opening brace is ``tokens[start]``."""
    if start >= len(tokens) or tokens[start].group("open") != "{":
        return None
    depth = 0
    for match in tokens[start:]:
        if match.group("open"):
            depth += 1
        elif match.group("close"):
            depth -= 1
            if depth == 0:
                return match.end()
    return None


def _iri(iri: str) -> str:
    if re.search(r'[<>"{}|^`\\\x00-\x20]', iri):
        raise QuerySyntaxError(f"{iri!r} cannot be written as an IRI")
    return iri


def evaluates_patterns(update: str) -> bool:
    """Whether ``update`` has an operation with a ``WHERE`` (``DELETE``/``INSERT … WHERE``,
    ``DELETE WHERE``) or a ``LOAD``, outside strings, IRIs and comments: an update whose
    running time is not bounded by its own length (``INSERT DATA``, ``CLEAR``, ``DROP``,
    ``COPY`` … are bounded by the text or the data they name)."""
    lowered = update.lower()
    if "where" not in lowered and "load" not in lowered:
        return False  # the common INSERT DATA / DELETE DATA: one scan
    plain = _SKIP.sub(" ", update)
    return _PATTERN_WORD.search(plain) is not None


_PATTERN_WORD = re.compile(r"(?<![\w?$:.-])(?:WHERE|LOAD)(?![\w:-])", re.IGNORECASE)
