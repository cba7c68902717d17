"""Write one customization entry as commented YAML, ready to paste under ``customizations:``.

PyYAML cannot emit comments, so this small emitter lays out the structure (block style, two
spaces, the entry as a list item indented like ``config/teams/example.yaml``) and lets PyYAML
render every scalar, so quoting is always PyYAML's own. Multi-line strings (python grader
source, judge prompts) become literal blocks when PyYAML can express them so. ``render``
checks that the text loads back to exactly the entry, so a comment can never change the data.
"""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple  # keys from the entry's root, e.g. ("grader", "graders", "tone", "model")
_WIDTH = 1 << 30


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, width=_WIDTH, default_flow_style=True)
    lines = [line for line in text.split("\n") if line and line != "..."]
    if len(lines) != 1:
        raise ValueError(f"cannot write {type(value).__name__} on one line")
    return lines[0]


def json_flow(value: Any) -> str:
    """A list or mapping in flow style on one line, rendered by PyYAML."""
    return _scalar(value)


def _block(value: str, indent: int) -> list[str] | None:
    """A literal block for a multi-line string, content indented at ``indent``; None if unsuited."""
    if "\n" not in value:
        return None
    text = yaml.safe_dump(value, default_style="|", allow_unicode=True, width=_WIDTH)
    if not text.startswith("|"):
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[-1] == "...":
        lines.pop()
    header, body = lines[0], lines[1:]
    return [header] + [(" " * indent + line[2:]) if line else "" for line in body]


def _one_line(text: str) -> str:
    """Comment text on one line: a line break in a value (a file id, a model name) must not
    end the comment and start YAML."""
    return " ".join(str(text).splitlines())


def _comment(text: str | None) -> str:
    return f"  # {_one_line(text)}" if text else ""


class _Emitter:
    def __init__(self, comments: dict[Path, str], trailing: dict[Path, list[str]]):
        self.comments = comments
        self.trailing = trailing
        self.out: list[str] = []

    def mapping(self, value: dict, indent: int, path: Path) -> None:
        pad = " " * indent
        for key, child in value.items():
            here = path + (key,)
            head = f"{pad}{_scalar(key)}:"
            note = _comment(self.comments.get(here))
            if isinstance(child, dict) and child:
                self.out.append(head + note)
                self.mapping(child, indent + 2, here)
            elif isinstance(child, list) and child and not all(_is_short_scalar(v) for v in child):
                self.out.append(head + note)
                self.sequence(child, indent + 2, here)
            elif isinstance(child, str) and (block := _block(child, indent + 2)):
                self.out.append(f"{head} {block[0]}{note}")
                self.out.extend(block[1:])
            else:
                flow = json_flow(child) if isinstance(child, (dict, list)) else _scalar(child)
                self.out.append(f"{head} {flow}{note}")
            for line in self.trailing.get(here, []):
                self.out.append(f"{pad}  # {_one_line(line)}")

    def sequence(self, value: list, indent: int, path: Path) -> None:
        pad = " " * indent
        for index, item in enumerate(value):
            here = path + (index,)
            if isinstance(item, dict) and item:
                start = len(self.out)
                self.mapping(item, indent + 2, here)
                first = self.out[start]
                self.out[start] = f"{pad}- {first[indent + 2 :]}"
            elif isinstance(item, str) and (block := _block(item, indent + 2)):
                self.out.append(f"{pad}- {block[0]}")
                self.out.extend(block[1:])
            else:
                flow = json_flow(item) if isinstance(item, (dict, list)) else _scalar(item)
                self.out.append(f"{pad}- {flow}{_comment(self.comments.get(here))}")


def _is_short_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list)) and not (isinstance(value, str) and ("\n" in value or len(value) > 60))


def render(entry: dict, *, header: list[str], comments: dict[Path, str], trailing: dict[Path, list[str]]) -> str:
    """The entry as a commented YAML list item (two-space indented)."""
    # Paths are entry-relative; inside the one-item list the entry itself is at (0,).
    emitter = _Emitter({(0, *k): v for k, v in comments.items()}, {(0, *k): v for k, v in trailing.items()})
    emitter.sequence([entry], 2, ())
    lines = [f"# {_one_line(line)}" if line else "#" for line in header] + emitter.out
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != [entry]:
        raise AssertionError("internal error: the customization YAML does not load back to the entry")
    return text
