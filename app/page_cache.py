"""Pages rendered once around their holes: a request renders only what changes.

A page template extends ``base.html`` and fills some of its blocks (title, head, main, scripts).
Everything else — the header, navigation, footer, hashed asset links — is the same for every
request to the same endpoint, yet Jinja builds it afresh each time, and for a hot page (the
postcode lookup) that is most of the work. :func:`render_framed` renders the page's *frame* once
per endpoint and variant (the base template, plus the page's blocks that do not change, with a
marker in each block that does) and, per request, only the changing blocks, then splices them
in. The output is byte-for-byte what ``render_template`` gives (tested), so templates stay the
single source of the page. :class:`Stencil` does the same for a fragment rendered once with named
holes (a lookup result's HTML, whose only per-request parts are its rank and walking time).

A framed page imports its macros inside the blocks that use them: statements at the top level of
a child template run only in a full render. Frames are not kept in debug mode, where templates
and static files change under the server.
"""
from __future__ import annotations

from collections.abc import Hashable

from flask import current_app, render_template, request
from markupsafe import Markup

_MARK = "\x00assetmap-hole:{}\x00"


def hole(name: str) -> Markup:
    """A marker to pass into a template where a :class:`Stencil` will later put a value."""
    return Markup(_MARK.format(name))


class Stencil:
    """Text rendered once with :func:`hole` markers in it, filled by joining strings."""

    __slots__ = ("pieces", "names")

    def __init__(self, text: str, names: tuple[str, ...]):
        self.pieces: list[str] = []
        self.names: list[str] = []
        rest = str(text)
        while True:
            at = rest.find("\x00assetmap-hole:")
            if at < 0:
                break
            end = rest.index("\x00", at + 1)
            name = rest[at + len("\x00assetmap-hole:"):end]
            if name not in names:
                raise ValueError(f"unexpected hole {name!r} in a stencil (expected {names})")
            self.pieces.append(rest[:at])
            self.names.append(name)
            rest = rest[end + 1:]
        self.pieces.append(rest)

    def fill(self, values: dict[str, str]) -> Markup:
        """The text with every hole replaced by ``values[name]`` (already escaped or Markup)."""
        out = [self.pieces[0]]
        for name, piece in zip(self.names, self.pieces[1:], strict=False):
            out.append(values[name])
            out.append(piece)
        return Markup("".join(out))


def _frame(template_name: str, holes: tuple[str, ...], context: dict) -> Stencil:
    """The page with its ``holes`` blocks left as markers, and every other block rendered."""
    env = current_app.jinja_env
    source = (f"{{% extends {template_name!r} %}}"
              + "".join(f"{{% block {b} %}}{hole(b)}{{% endblock %}}" for b in holes))
    ctx = dict(context)
    current_app.update_template_context(ctx)
    return Stencil(env.from_string(source).render(ctx), holes)


def render_framed(template_name: str, holes: tuple[str, ...] | None = None, variant: Hashable = None,
                  **context) -> str:
    """``render_template(template_name, **context)``, rendering only the blocks named in ``holes``.

    Blocks not in ``holes`` are rendered once per (template, endpoint, variant), with the context
    of the first request: the caller promises they depend on nothing but ``variant``. Without
    ``holes`` every block the page fills is rendered per request and only base.html is kept.
    """
    app = current_app
    if app.debug:
        return render_template(template_name, **context)
    template = app.jinja_env.get_template(template_name)
    if holes is None:
        holes = tuple(b for b in app.jinja_env.get_template("base.html").blocks if b in template.blocks)
    frames = app.extensions.setdefault("assetmap_frames", {})
    key = (template_name, request.endpoint, holes, variant)
    frame = frames.get(key)
    if frame is None:
        frame = frames[key] = _frame(template_name, holes, context)
    app.update_template_context(context)
    ctx = template.new_context(context)
    return frame.fill({b: "".join(template.blocks[b](ctx)) for b in frame.names})
