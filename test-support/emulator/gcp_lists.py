"""The `filter`, `orderBy`, `maxResults` and `pageToken` of Compute Engine's list methods.

Compute Engine's list methods (https://cloud.google.com/compute/docs/reference/rest/v1/networks/list)
take a filter of one of two kinds, which cannot be mixed:

- AIP-160 comparisons: `name = "x"`, `name != x`, `labels.env = "prod"`, `labels.owner:*`
  (the key exists), several of them in parentheses or joined by spaces or `AND`;
- regular expressions: `name eq x`, `name ne ".*-old"`, alone and unparenthesized (the whole
  rest of the text is the expression) or as several `(field eq value)` groups. The expression
  must match the whole value (RE2 syntax; Python's `re` reads the usual subset the same way).

`OR`, `<`, `>` and the other AIP-160 forms are not modelled: such a filter answers 400 rather
than being ignored. `orderBy` is `name` (the default) or `creationTimestamp desc`, the two the
documentation says Compute Engine supports. Pages hold at most `maxResults` (0 to 500, default
500) and at most the emulator's cap; `nextPageToken` is opaque and only valid for the same
filter and order.
"""

import base64
import hashlib
import json
import re

from .server import google_error

MAX_RESULTS = 500


def bad_value(field, value, why):
    return google_error(400, f"Invalid value for field '{field}': '{value}'. {why}", "invalid")


def parse_filter(text):
    """The filter as a list of (field, operator, value), all of which must hold."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        return parse_regex_filter(text) if re.search(r"\s(eq|ne)\s", text) else parse_aip_filter(text)
    except ValueError:
        raise bad_value("filter", text, "Invalid list filter expression.")


def parse_regex_filter(text):
    if not text.startswith("("):
        field, operator, value = re.fullmatch(r"([\w.]+)\s+(eq|ne)\s+(.+)", text, re.S).groups()
        return [(field, operator, unquote(value.strip()))]
    terms = []
    for group in re.findall(r"\(([^()]*)\)", text):
        match = re.fullmatch(r"\s*([\w.]+)\s+(eq|ne)\s+(.+?)\s*", group, re.S)
        if not match:
            raise ValueError(group)
        terms.append((match.group(1), match.group(2), unquote(match.group(3))))
    if re.sub(r"\(([^()]*)\)", "", text).strip():
        raise ValueError(text)
    return terms


AIP_TERM = re.compile(r'\(?\s*([\w.]+)\s*(=|!=|:)\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^\s()]+)\s*\)?\s*')


def parse_aip_filter(text):
    """Comparisons separated by spaces or `AND`, each maybe in parentheses."""
    terms, position = [], 0
    while True:
        match = AIP_TERM.match(text, position)
        if not match:
            raise ValueError(text[position:])
        field, operator, value = match.groups()
        terms.append((field, operator, unquote(value)))
        position = match.end()
        if position >= len(text):
            return terms
        separator = re.compile(r"AND\s+").match(text, position)
        if separator:
            position = separator.end()
        elif not (text[position - 1].isspace() or text[position - 1] == ")"):
            raise ValueError(text[position:])


def unquote(value):
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def field_value(resource, field):
    """The text a filter compares: booleans as `true`/`false`, absent fields as None."""
    value = resource
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def holds(resource, term):
    field, operator, wanted = term
    actual = field_value(resource, field)
    if operator == ":":
        return actual is not None and (wanted == "*" or actual == wanted)
    if operator in ("=", "!="):
        return (actual == wanted) == (operator == "=")
    matched = actual is not None and re.fullmatch(wanted, actual) is not None
    return matched == (operator == "eq")


def select(resources, query):
    """The resources (rendered dicts) that pass `filter`, in `orderBy` order."""
    terms = parse_filter(query.get("filter"))
    chosen = [r for r in resources if all(holds(r, term) for term in terms)]
    order = (query.get("orderBy") or "name").strip()
    if order == "name":
        return sorted(chosen, key=lambda r: r.get("name", ""))
    if re.fullmatch(r"creationTimestamp\s+desc", order):
        by_name = sorted(chosen, key=lambda r: r.get("name", ""))
        return sorted(by_name, key=lambda r: r.get("creationTimestamp", ""), reverse=True)
    raise bad_value("orderBy", order, "Only sorting by name or creationTimestamp desc is supported.")


def page_size(query, cap, maximum):
    wanted = query.get("maxResults")
    if wanted is not None and maximum is not None and wanted > maximum:
        raise bad_value("maxResults", wanted, f"Must be less than or equal to {maximum}")
    return min(wanted or maximum or cap, cap)


def query_digest(query):
    """What a page token is bound to: the filter and the order of the first page."""
    text = json.dumps([query.get("filter") or "", query.get("orderBy") or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def page(items, query, cap, maximum=MAX_RESULTS):
    """(the items of this page, the next page token or None): at most `maxResults` (which may
    not exceed `maximum`) and at most `cap` items."""
    size = page_size(query, cap, maximum)
    start = 0
    token = query.get("pageToken")
    if token:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            start, digest = int(state["o"]), state["q"]
        except (ValueError, KeyError, TypeError):
            raise bad_value("pageToken", token, "Invalid page token.")
        if digest != query_digest(query) or not 0 <= start <= len(items):
            raise bad_value("pageToken", token, "The page token does not belong to this list request.")
    end = start + size
    if end >= len(items):
        return items[start:], None
    state = json.dumps({"o": end, "q": query_digest(query)})
    return items[start:end], base64.urlsafe_b64encode(state.encode()).decode()
