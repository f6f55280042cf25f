"""Alert label and annotation templates, expanded as Prometheus 2.42 expands them.

Prometheus prepends ``{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}
{{$externalURL := .ExternalURL}}{{$value := .Value}}`` to every template and runs Go's
text/template with its own functions; pgwatch does the same over the subset in
:mod:`pgwatch.alerting.template_parse`, so positions and error texts match Go's.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pgwatch.alerting.goformat import go_quote, go_type, go_value
from pgwatch.alerting.template_funcs import (
    LAZY,
    UNSUPPORTED,
    CallError,
    Function,
    functions,
    truth,
)
from pgwatch.alerting.template_parse import (
    Action,
    Branch,
    Chain,
    Command,
    Dot,
    Field,
    Identifier,
    Literal,
    Node,
    Parser,
    Pipe,
    TemplateSyntaxError,
    Text,
    Variable,
)
from pgwatch.errors import PgwatchError

PREFIX = ("{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
          "{{$externalURL := .ExternalURL}}{{$value := .Value}}")
_FUNCTIONS = functions()
_PREFIX_ACTIONS = 4
_STRUCT = ("struct { Labels map[string]string; ExternalLabels map[string]string; "
           "ExternalURL string; Value float64 }")


class TemplateError(PgwatchError):
    """A template failed to parse or to expand; str() is Prometheus' message."""


@dataclass(frozen=True, slots=True)
class AlertData:
    """The value ``.`` stands for in an alert template."""

    Labels: Mapping[str, str]  # Go's field names, as templates spell them
    ExternalLabels: Mapping[str, str] = field(default_factory=dict)
    ExternalURL: str = ""
    Value: float = 0.0


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template, ready to expand many times."""

    name: str
    text: str
    nodes: tuple[Node, ...]

    def unsupported(self) -> list[str]:
        """Functions Prometheus has that pgwatch cannot run, in the order they appear."""
        return [n.name for n in _walk(self.nodes)
                if isinstance(n, Identifier) and n.name in UNSUPPORTED]


def parse(text: str, rule_name: str) -> Template:
    """Parse one label or annotation value; TemplateError with Go's text if it does not."""
    name = "__alert_" + rule_name
    full = PREFIX + text
    known = set(_FUNCTIONS) | LAZY
    try:
        nodes = Parser(name, full, known.__contains__).parse()
    except TemplateSyntaxError as exc:
        raise TemplateError(f"error parsing template {name}: {exc}") from None
    return Template(name, full, nodes)


def expand(text: str, *, labels: Mapping[str, str], value: float, rule_name: str = "",
           external_labels: Mapping[str, str] | None = None, external_url: str = "",
           url_functions: bool = True) -> str:
    """Expand one template; TemplateError carries Prometheus' message."""
    template = parse(text, rule_name)
    data = AlertData(dict(labels), dict(external_labels or {}), external_url, value)
    return run(template, data, url_functions=url_functions)


def expand_or_error(text: str, *, labels: Mapping[str, str], value: float, rule_name: str,
                    external_labels: Mapping[str, str] | None = None,
                    external_url: str = "", url_functions: bool = True) -> str:
    """What Prometheus puts into a label or annotation: the text, or the error in ``<>``."""
    try:
        return expand(text, labels=labels, value=value, rule_name=rule_name,
                      external_labels=external_labels, external_url=external_url,
                      url_functions=url_functions)
    except TemplateError as exc:
        return f"<error expanding template: {exc}>"


def run(template: Template, data: AlertData, *, url_functions: bool = True) -> str:
    """Execute a parsed template over ``data``. Without ``url_functions``, ``externalURL``
    and ``pathPrefix`` fail as in promtool, which gives its rules no external URL."""
    state = _State(template, data, url_functions)
    # The prefix's four actions only bind variables: bound here, they are not walked.
    state.vars += [("$labels", data.Labels), ("$externalLabels", data.ExternalLabels),
                   ("$externalURL", data.ExternalURL), ("$value", data.Value)]
    try:
        state.walk_list(template.nodes[_PREFIX_ACTIONS:], data)
    except _ExecError as exc:
        raise TemplateError(f"error executing template {template.name}: {exc}") from None
    return "".join(state.out)


class _ExecError(Exception):
    pass


_MISSING = object()


class _State:
    def __init__(self, template: Template, data: AlertData, url_functions: bool) -> None:
        self.template = template
        self.data = data
        self.url_functions = url_functions
        self.out: list[str] = []
        self.vars: list[tuple[str, object]] = [("$", data)]
        self.node: Node | None = None

    def fail(self, message: str) -> _ExecError:
        name = self.template.name
        if self.node is None:
            return _ExecError(f"template: {name}: {message}")
        text = self.template.text[:self.node.pos]
        line = 1 + text.count("\n")
        column = self.node.pos - (text.rfind("\n") + 1) if "\n" in text else self.node.pos
        context = _context(self.node)
        return _ExecError(f"template: {name}:{line}:{column}: executing {go_quote(name)} at "
                          f"<{context}>: {message}")

    def walk_list(self, nodes: Sequence[Node], dot: object) -> None:
        for node in nodes:
            self.walk(node, dot)

    def walk(self, node: Node, dot: object) -> None:
        if isinstance(node, Text):
            self.out.append(node.text)
        elif isinstance(node, Action):
            value = self.eval_pipe(node.pipe, dot)
            if not node.pipe.decls:
                self.out.append(self.printable(value))
        elif isinstance(node, Branch):
            self.walk_branch(node, dot)

    def walk_branch(self, node: Branch, dot: object) -> None:
        mark = len(self.vars)
        if node.kind == "range":
            self.walk_range(node, dot)
        else:
            value = self.eval_pipe(node.pipe, dot)
            chosen = node.body if truth(_plain(value)) else node.orelse
            inner = value if node.kind == "with" and chosen is node.body else dot
            self.walk_list(chosen, inner)
        del self.vars[mark:]

    def walk_range(self, node: Branch, dot: object) -> None:
        self.node = node.pipe
        value = _plain(self.eval_pipe(node.pipe, dot, declare=False))
        if isinstance(value, Mapping):
            items: list[tuple[object, object]] = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        elif value is None:
            items = []
        else:
            raise self.fail(f"range can't iterate over {go_value(value)}")
        if not items:
            self.walk_list(node.orelse, dot)
        mark = len(self.vars)
        for key, item in items:
            del self.vars[mark:]
            if len(node.pipe.decls) == 2:
                self.vars += [(node.pipe.decls[0], key), (node.pipe.decls[1], item)]
            elif node.pipe.decls:
                self.vars.append((node.pipe.decls[0], item))
            self.walk_list(node.body, item)

    def printable(self, value: object) -> str:
        if value is _MISSING:
            return "<no value>"
        return go_value(value)

    def eval_pipe(self, pipe: Pipe, dot: object, declare: bool = True) -> object:
        value: object = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(cmd, dot, value)
        if declare:
            for name in pipe.decls:
                if pipe.assign:
                    self.set_var(name, value)
                else:
                    self.vars.append((name, value))
        return value

    def set_var(self, name: str, value: object) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return

    def eval_command(self, cmd: Command, dot: object, final: object) -> object:
        first = cmd.args[0]
        if isinstance(first, Identifier):
            return self.eval_function(first, cmd, dot, final)
        if isinstance(first, Field | Variable | Chain):
            return self.eval_path(first, cmd, dot, final)
        self.node = first
        self.not_a_function(cmd, final)
        if isinstance(first, Pipe):
            return self.eval_pipe(first, dot, declare=False)
        if isinstance(first, Dot):
            return dot
        assert isinstance(first, Literal)
        if first.value is None:
            raise self.fail("nil is not a command")
        return first.value

    def not_a_function(self, cmd: Command, final: object) -> None:
        if len(cmd.args) > 1 or final is not _MISSING:
            raise self.fail(f"can't give argument to non-function {cmd.args[0]}")

    def eval_path(self, node: Field | Variable | Chain, cmd: Command, dot: object,
                  final: object) -> object:
        self.node = node
        if isinstance(node, Variable):
            value = self.variable(node.names[0])
            names = node.names[1:]
        elif isinstance(node, Chain):
            value = self.eval_pipe(node.node, dot, declare=False)
            names = node.names
        else:
            value, names = dot, node.names
        has_args = len(cmd.args) > 1 or final is not _MISSING
        if has_args and names:
            raise self.fail(f"{names[-1]} is not a method but has arguments")
        if has_args:
            self.not_a_function(cmd, final)
        for name in names:
            value = self.field(value, name)
        return value

    def variable(self, name: str) -> object:
        for var, value in reversed(self.vars):
            if var == name:
                return value
        raise self.fail(f"undefined variable: {name}")

    def field(self, value: object, name: str) -> object:
        if isinstance(value, dict):  # labels, the common case
            return value.get(name, "")
        value = _plain(value)
        if isinstance(value, AlertData):
            if name not in AlertData.__slots__:
                raise self.fail(f"can't evaluate field {name} in type {_STRUCT}")
            return getattr(value, name)
        if isinstance(value, Mapping):
            return value.get(name, "")
        if value is None:
            raise self.fail(f"nil pointer evaluating interface {{}}.{name}")
        raise self.fail(f"can't evaluate field {name} in type {go_type(value)}")

    def eval_function(self, ident: Identifier, cmd: Command, dot: object, final: object) -> object:
        self.node = ident
        args = list(cmd.args[1:])
        if ident.name in LAZY:
            return self.eval_lazy(ident.name, args, dot, final)
        function = self.url_function(ident.name) or _FUNCTIONS[ident.name]
        count = len(args) + (final is not _MISSING)
        need = len(function.params)
        if (count < need - 1) if function.variadic else count != need:
            want = f"at least {need - 1}" if function.variadic else str(need)
            raise self.fail(f"wrong number of args for {ident.name}: want {want} got {count}")
        values = [self.eval_arg(arg, self.param(function, i), dot) for i, arg in enumerate(args)]
        if final is not _MISSING:
            values.append(self.check_type(final, self.param(function, len(args))))
        try:
            return function.call(*values)
        except CallError as exc:
            self.node = cmd
            raise self.fail(f"error calling {ident.name}: {exc}") from None

    def url_function(self, name: str) -> Function | None:
        if name not in ("externalURL", "pathPrefix"):
            return None
        url = self.data.ExternalURL

        def call() -> str:
            if not self.url_functions:
                raise CallError("runtime error: invalid memory address or nil pointer "
                                "dereference")
            return url if name == "externalURL" else urllib.parse.urlsplit(url).path
        return Function((), call)

    def eval_lazy(self, name: str, args: list[Node], dot: object, final: object) -> object:
        if len(args) + (final is not _MISSING) < 1:
            raise self.fail(f"wrong number of args for {name}: want at least 1 got 0")
        value: object = None
        for arg in args:
            value = self.eval_arg(arg, "any", dot)
            if truth(value) == (name == "or"):
                return value
        if final is not _MISSING:
            value = final
        return value

    @staticmethod
    def param(function: Function, i: int) -> str:
        return function.params[min(i, len(function.params) - 1)]

    def eval_arg(self, node: Node, kind: str, dot: object) -> object:
        self.node = node
        if isinstance(node, Literal):
            return self.literal_arg(node, kind)
        if isinstance(node, Dot):
            return self.check_type(dot, kind)
        if isinstance(node, Field | Variable | Chain):
            return self.check_type(self.eval_path(node, Command(node.pos, (node,)), dot,
                                                  _MISSING), kind)
        if isinstance(node, Pipe):
            return self.check_type(self.eval_pipe(node, dot, declare=False), kind)
        if isinstance(node, Identifier):
            return self.check_type(self.eval_function(node, Command(node.pos, (node,)), dot,
                                                      _MISSING), kind)
        raise self.fail(f"can't handle {node} for arg")

    def literal_arg(self, node: Literal, kind: str) -> object:
        if kind == "string" and not isinstance(node.value, str):
            if node.value is None:
                raise self.fail("cannot assign nil to string")
            raise self.fail(f"expected string; found {node.text}")
        return node.value

    def check_type(self, value: object, kind: str) -> object:
        if value is _MISSING:
            if kind == "string":
                raise self.fail("invalid value; expected string")
            return None
        if kind == "string" and not isinstance(value, str):
            raise self.fail(f"wrong type for value; expected string; got {go_type(value)}")
        return value


def _plain(value: object) -> object:
    return None if value is _MISSING else value


def _context(node: Node) -> str:
    return str(node)  # Go 1.19's ErrorContext does not shorten it


def _walk(nodes: Sequence[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        if isinstance(node, Action):
            yield from _walk((node.pipe,))
        elif isinstance(node, Branch):
            yield from _walk((node.pipe, *node.body, *node.orelse))
        elif isinstance(node, Pipe):
            yield from _walk(node.cmds)
        elif isinstance(node, Command):
            yield from _walk(node.args)
        elif isinstance(node, Chain):
            yield from _walk((node.node,))
