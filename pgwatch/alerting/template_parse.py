"""Parsing the Go text/template subset alert labels and annotations are written in.

The parse tree keeps byte offsets into the whole template text (Prometheus' ``$labels``
prefix included), so that errors name the line and column Go's text/template names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pgwatch.errors import PgwatchError


class TemplateSyntaxError(PgwatchError):
    """A template does not parse; str() is Go's ``template: NAME:LINE: message``."""


@dataclass(frozen=True, slots=True)
class Node:
    pos: int


@dataclass(frozen=True, slots=True)
class Text(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Identifier(Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Field(Node):
    names: tuple[str, ...]

    def __str__(self) -> str:
        return "".join("." + n for n in self.names)


@dataclass(frozen=True, slots=True)
class Variable(Node):
    names: tuple[str, ...]  # the variable ("$x") then its fields

    def __str__(self) -> str:
        return ".".join(self.names)


@dataclass(frozen=True, slots=True)
class Dot(Node):
    def __str__(self) -> str:
        return "."


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: object  # str, int, float, bool or None
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Chain(Node):
    node: Pipe
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"({self.node})" + "".join("." + n for n in self.names)


@dataclass(frozen=True, slots=True)
class Command(Node):
    args: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, Pipe) else str(a) for a in self.args)


@dataclass(frozen=True, slots=True)
class Pipe(Node):
    decls: tuple[str, ...]
    assign: bool  # "=" rather than ":="
    cmds: tuple[Command, ...]

    def __str__(self) -> str:
        text = " | ".join(str(c) for c in self.cmds)
        if self.decls:
            text = f"{', '.join(self.decls)} {'=' if self.assign else ':='} {text}"
        return text


@dataclass(frozen=True, slots=True)
class Action(Node):
    pipe: Pipe


@dataclass(frozen=True, slots=True)
class Branch(Node):
    """{{if}}, {{with}} or {{range}} with its lists."""

    kind: str
    pipe: Pipe
    body: tuple[Node, ...]
    orelse: tuple[Node, ...]


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<dot>\.)
  | (?P<variable>\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)
_KEYWORDS = frozenset({"if", "else", "end", "with", "range", "define", "template", "block",
                       "break", "continue"})
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a",
            "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    pos: int
    text: str


class Parser:
    """One parse of one template text; ``functions`` is the set of names defined."""

    def __init__(self, name: str, text: str, functions: Callable[[str], bool]) -> None:
        self.name = name
        self.text = text
        self.defined = functions
        self.tokens: list[Token] = []
        self.index = 0
        self.cursor = 0  # where the text not yet read starts
        self.scopes: list[list[str]] = [["$"]]

    def fail(self, pos: int, message: str) -> TemplateSyntaxError:
        line = 1 + self.text.count("\n", 0, pos)
        return TemplateSyntaxError(f"template: {self.name}:{line}: {message}")

    def parse(self) -> tuple[Node, ...]:
        body, stop = self.parse_list(())
        if stop is not None:
            raise self.fail(stop[1], f"unexpected {{{{{stop[0]}}}}}")
        return body

    # The text is read one action at a time: text, then {{ ... }}, with trim markers.
    def parse_list(self, stops: tuple[str, ...]) -> tuple[tuple[Node, ...], tuple[str, int] | None]:
        nodes: list[Node] = []
        while True:
            start = self.text.find("{{", self.cursor)
            if start < 0:
                nodes.append(Text(self.cursor, self.text[self.cursor:]))
                self.cursor = len(self.text)
                if stops:
                    raise self.fail(len(self.text), "unexpected EOF")
                return tuple(n for n in nodes if not isinstance(n, Text) or n.text), None
            trim_left = self.text.startswith("{{- ", start) or bool(
                re.match(r"\{\{-[\t\r\n ]", self.text[start:start + 4]))
            chunk = self.text[self.cursor:start]
            nodes.append(Text(self.cursor, chunk.rstrip(" \t\r\n") if trim_left else chunk))
            inner = start + (3 if trim_left else 2)
            closed = self.action_end(inner)
            if closed is None:  # Go reports the first error its parser reaches
                self.parse_action(inner, len(self.text), unclosed=True)
                raise self.fail(len(self.text), "unclosed action")
            end, trim_right = closed
            self.cursor = end + (4 if trim_right else 2)
            if trim_right:
                self.cursor = _skip_space(self.text, self.cursor)
            node = self.parse_action(inner, end)
            if isinstance(node, tuple):
                if node[0] in stops:
                    return tuple(n for n in nodes if not isinstance(n, Text) or n.text), node
                raise self.fail(node[1], f"unexpected {{{{{node[0]}}}}}")
            if node is not None:
                nodes.append(node)


    def action_end(self, inner: int) -> tuple[int, bool] | None:
        if self.text.startswith("/*", _skip_space(self.text, inner)):
            close = self.text.find("*/", inner)
            if close < 0:
                raise self.fail(inner, "unclosed comment")
            after = _skip_space(self.text, close + 2)
            if self.text.startswith("-}}", after) and after > close + 2:
                return after - 1, True
            if not self.text.startswith("}}", close + 2):
                raise self.fail(close, "comment ends before closing delimiter")
            return close + 2, False
        pos = inner
        while pos < len(self.text):
            match = _TOKEN.match(self.text, pos)
            if self.text.startswith("}}", pos):
                return pos, False
            if (self.text.startswith("-}}", pos) and pos > inner
                    and self.text[pos - 1] in " \t\r\n"):
                return pos - 1, True
            if match is None or match.end() == pos:
                pos += 1
                continue
            pos = match.end()
        return None

    def parse_action(self, inner: int, end: int,
                     unclosed: bool = False) -> Node | tuple[str, int] | None:
        if self.text.startswith("/*", _skip_space(self.text, inner)):
            return None
        self.tokens = self.lex(inner, end)
        if unclosed:
            self.tokens.append(Token("error", end, "unclosed action"))
        self.index = 0
        first = self.peek()
        if first is None:
            raise self.fail(inner, "missing value for command")
        if first.kind == "ident" and first.text in _KEYWORDS:
            return self.parse_keyword(first)
        pipe = self.parse_pipe("command", top=True)
        return Action(pipe.pos, pipe)

    def parse_keyword(self, first: Token) -> Node | tuple[str, int]:
        self.index += 1
        word, following = first.text, self.peek()
        if word in ("if", "with", "range"):
            return self.parse_branch(word, first.pos)
        if word not in ("end", "else"):
            raise self.fail(first.pos, f"{{{{{word}}}}} is not supported in alert templates")
        if following is None:
            return (word, first.pos)
        if following.kind == "error":
            raise self.fail(following.pos, following.text)
        if word == "else" and following.kind == "ident" and following.text == "if":
            self.index += 1
            return ("else if", first.pos)
        raise self.fail(following.pos, f"unexpected {_describe(following)} in {word}")

    def parse_branch(self, kind: str, pos: int) -> Branch:
        self.scopes.append([])
        pipe = self.parse_pipe(kind, top=True, allow_two=kind == "range")
        body, stop = self.parse_list(("end", "else", "else if"))
        orelse: tuple[Node, ...] = ()
        assert stop is not None
        if stop[0] == "else if":
            if kind == "range":
                raise self.fail(stop[1], "unexpected {else if} in range")
            self.scopes.append([])
            orelse = (self.parse_branch_from_else_if(stop[1]),)
            self.scopes.pop()
        elif stop[0] == "else":
            orelse, stop = self.parse_list(("end",))
        self.scopes.pop()
        return Branch(pos, kind, pipe, body, orelse)

    def parse_branch_from_else_if(self, pos: int) -> Branch:
        pipe = self.parse_pipe("if", top=True)
        body, stop = self.parse_list(("end", "else", "else if"))
        orelse: tuple[Node, ...] = ()
        assert stop is not None
        if stop[0] == "else if":
            orelse = (self.parse_branch_from_else_if(stop[1]),)
        elif stop[0] == "else":
            orelse, _ = self.parse_list(("end",))
        return Branch(pos, "if", pipe, body, orelse)

    def lex(self, start: int, end: int) -> list[Token]:
        tokens: list[Token] = []
        pos = start
        while pos < end:
            match = _TOKEN.match(self.text, pos, end)
            if match is None or match.lastgroup is None:
                ch = self.text[pos]  # the error is reported when the parser reaches it
                message = ("unterminated quoted string" if ch in "\"'`" else
                           f"unexpected bad character U+{ord(ch):04X} {ch!r} in command")
                tokens.append(Token("error", pos, message))
                return tokens
            if match.lastgroup == "number" and self.text[match.end():match.end() + 1].isalnum():
                bad = self.text[pos:match.end() + 1]
                tokens.append(Token("error", pos, f'bad number syntax: "{bad}"'))
                return tokens
            if match.lastgroup != "space":
                tokens.append(Token(match.lastgroup, pos, match.group()))
            pos = match.end()
        return tokens

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def parse_pipe(self, context: str, top: bool = False, allow_two: bool = False) -> Pipe:
        start = self.peek()
        pos = start.pos if start else 0
        decls, assign = self.parse_decls(allow_two)
        cmds: list[Command] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "rparen":
                break
            cmds.append(self.parse_command())
            tok = self.peek()
            if tok is not None and tok.kind == "pipe":
                self.index += 1  # Go 1.19 accepts a trailing "|" before the end of a pipeline
                following = self.peek()
                if following is not None and following.kind == "pipe":
                    raise self.fail(following.pos, "missing command")
        if top and self.peek() is not None:
            tok = self.peek()
            assert tok is not None
            raise self.fail(tok.pos, f"unexpected {_describe(tok)} in {context}")
        if not cmds:
            raise self.fail(pos, f"missing value for {context}")
        for name in decls:
            if not assign:
                self.scopes[-1].append(name)
        return Pipe(pos, tuple(decls), assign, tuple(cmds))

    def parse_decls(self, allow_two: bool) -> tuple[list[str], bool]:
        tokens = self.tokens[self.index:]
        names: list[str] = []
        if len(tokens) >= 2 and tokens[0].kind == "variable" and "." not in tokens[0].text:
            if tokens[1].kind in ("declare", "assign"):
                if tokens[1].kind == "assign":
                    self.check_variable(tokens[0])
                self.index += 2
                return [tokens[0].text], tokens[1].kind == "assign"
            if (allow_two and len(tokens) >= 4 and tokens[1].kind == "comma"
                    and tokens[2].kind == "variable" and tokens[3].kind == "declare"):
                self.index += 4
                names = [tokens[0].text, tokens[2].text]
                return names, False
        return names, False

    def parse_command(self) -> Command:
        start = self.peek()
        assert start is not None
        args: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind in ("pipe", "rparen"):
                break
            args.append(self.parse_operand())
        if not args:
            raise self.fail(start.pos, "empty command")
        return Command(start.pos, tuple(args))

    def parse_operand(self) -> Node:
        term = self.parse_term()
        tok = self.peek()
        if tok is not None and tok.kind == "field" and tok.pos == self.tokens[self.index - 1].pos \
                + len(self.tokens[self.index - 1].text):
            self.index += 1
            names = tuple(tok.text[1:].split("."))
            if isinstance(term, Pipe):
                return Chain(term.pos, term, names)
            raise self.fail(tok.pos, f"unexpected . after term {term}")
        return term

    def parse_term(self) -> Node:
        tok = self.tokens[self.index]
        self.index += 1
        kind = tok.kind
        if kind == "error":
            raise self.fail(tok.pos, tok.text)
        if kind == "ident":
            return self.parse_identifier(tok)
        if kind == "variable":
            self.check_variable(tok)
            names = tuple(tok.text.split("."))
            return Variable(_chain_pos(tok.pos, names), names)
        if kind in ("string", "raw", "char", "number", "field", "dot"):
            return self.parse_constant(tok)
        if kind == "lparen":
            pipe = self.parse_pipe("parenthesized pipeline")
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise self.fail(tok.pos, "unclosed left paren")
            self.index += 1
            return pipe
        raise self.fail(tok.pos, f"unexpected {_describe(tok)} in operand")

    def parse_constant(self, tok: Token) -> Node:
        if tok.kind == "field":
            names = tuple(tok.text[1:].split("."))
            return Field(tok.pos + 1 + len(names[0]) if len(names) > 1 else tok.pos, names)
        if tok.kind == "dot":
            return Dot(tok.pos)
        if tok.kind == "number":
            return Literal(tok.pos, self.number(tok), tok.text)
        return Literal(tok.pos, _unquote(tok.text), tok.text)

    def parse_identifier(self, tok: Token) -> Node:
        if tok.text in ("true", "false"):
            return Literal(tok.pos, tok.text == "true", tok.text)
        if tok.text == "nil":
            return Literal(tok.pos, None, "nil")
        if tok.text in _KEYWORDS:
            raise self.fail(tok.pos, f"unexpected <{tok.text}> in command")
        if not self.defined(tok.text):
            raise self.fail(tok.pos, f'function "{tok.text}" not defined')
        return Identifier(tok.pos, tok.text)

    def check_variable(self, tok: Token) -> None:
        name = tok.text.split(".")[0]
        if not any(name in scope for scope in self.scopes):
            raise self.fail(tok.pos, f'undefined variable "{name}"')

    def number(self, tok: Token) -> int | float:
        text = tok.text.replace("_", "")
        try:
            return int(text, 0)
        except ValueError:
            pass
        try:
            return float.fromhex(text) if "x" in text.lower() else float(text)
        except ValueError:
            raise self.fail(tok.pos, f"illegal number syntax: {tok.text!r}") from None


def _chain_pos(pos: int, names: tuple[str, ...]) -> int:
    """Go gives ``$x.a.b`` (and ``.A.b``) the position of the first field after the term."""
    return pos + len(names[0]) if len(names) > 1 else pos


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _unquote(text: str) -> str | int:
    if text[0] == "`":
        return text[1:-1]
    body = re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)",
                  lambda m: _escape(m.group(1)), text[1:-1])
    return ord(body) if text[0] == "'" and len(body) == 1 else body


def _escape(seq: str) -> str:
    if seq[0] in "xuU" and len(seq) > 1:
        return chr(int(seq[1:], 16))
    return _ESCAPES.get(seq, seq)


def _describe(tok: Token) -> str:
    """How Go's lexer items print: keywords as <if>, everything else quoted."""
    return f"<{tok.text}>" if tok.kind == "ident" and tok.text in _KEYWORDS else f'"{tok.text}"'

