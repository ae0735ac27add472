"""The values luanma passes between its stages and returns to callers.

All are frozen dataclasses; `to_dict()` gives the JSON shape the HTTP API
returns. Offsets named `start`/`end` are code-point indices, half-open;
offsets into bytes are named `start_byte`/`end_byte`.

A *plan* is a list of `(action, parameter)` pairs, replayed by
`app.engine.apply_plan` (after ftfy's `apply_plan`). Plan actions:

=====================  =========  ===============================================
action                 on         meaning
=====================  =========  ===============================================
``fill``               str        the next ``encode`` writes, for each U+FFFD in
                                  order, the bytes given here (comma-separated
                                  hex; empty: the byte stays lost)
``encode``             str        encode with the codec named by `parameter`
``decode``             bytes      decode with the codec named by `parameter`
``decode_lossy``       bytes      the same, each undecodable sequence (a
                                  character whose bytes are lost) one U+FFFD
``widen``              str        turn ASCII ``!``..``~`` into full-width forms
                                  (U+FF01..U+FF5E): undoes a page's width folding;
                                  `parameter` ``all`` or ``except_last`` (the
                                  last character is a real ASCII byte)
``realign``            bytes      put back lost bytes: ``0:b1`` in front,
                                  ``end:af`` at the end, comma-separated;
                                  ``lost`` for a byte not guessed back
``swap``               bytes      write other bytes of the same length at byte
                                  offsets: ``4:fb9c`` (comma-separated); a
                                  character the wrong codec reads from two
                                  byte pairs (cp932's NEC and IBM rows) goes
                                  back to the pair it was read from
``apply``              str        one of ftfy's fixes (``ftfy.FIXERS``), by name
``transcode``          bytes/str  the same, as ftfy names it on bytes
``unescape``           str/bytes  undo one level of escaping (`app.escapes`);
                                  `parameter` ``unicode`` (``\\uXXXX``, str to
                                  str), ``html`` (character references, str to
                                  str), ``percent`` (``%HH``, to bytes) or
                                  ``hex`` (``\\xHH``, to bytes)
``declare``            str        make a charset declaration say `parameter`
                                  (``utf-8``): a ``<meta>`` tag becomes
                                  ``<meta charset="utf-8">``, an XML
                                  declaration keeps all but its encoding
``delete``             str        remove the text (a flattened ruby annotation)
``convert``            str        OpenCC conversion; `parameter` is a config id
=====================  =========  ===============================================
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PlanItem = tuple[str, "str | None"]


def _plan(items) -> tuple[PlanItem, ...]:
    """A plan from its JSON shape (a list of ``[action, parameter]`` lists)."""
    return tuple((str(a), p) for a, p in items)


@dataclass(frozen=True)
class Edit:
    """One replacement made by a step.

    Attributes:
        start: code-point offset into the text *before the step*, inclusive.
        end: code-point offset into the text before the step, exclusive.
        plan: replays ``text[start:end]`` into its replacement.
    """

    start: int
    end: int
    plan: tuple[PlanItem, ...]

    @classmethod
    def from_dict(cls, d: dict) -> "Edit":
        """The inverse of the ``edits`` entries of `Step.to_dict`.

        Raises:
            KeyError: a field is missing. TypeError, ValueError: a plan item
                is not an ``[action, parameter]`` pair.
        """
        return cls(d["start"], d["end"], _plan(d["plan"]))


@dataclass(frozen=True)
class Step:
    """One pass over the whole document, in the order it was applied.

    Attributes:
        action: ``decode`` (bytes to str, `parameter` is the codec),
            ``html`` (HTML mode: charset declarations, <rt>/<rp> contents),
            ``unescape``, ``fix_encoding``, ``realign``, ``strip_annotations`` (each made of
            `edits`), or ``convert`` (`parameter` is the OpenCC config id;
            in HTML mode with `edits`, one per converted text region).
        parameter: codec name or config id, else None.
        explanation: one sentence a person can read.
        edits: non-overlapping replacements, sorted by start, with offsets
            into the text as it was before this step; for a ``decode`` step
            of a mixed stream, the parts: byte offsets into the input bytes,
            each with its ``decode`` plan.
    """

    action: str
    parameter: str | None
    explanation: str
    edits: tuple[Edit, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["edits"] = [
            {"start": e.start, "end": e.end, "plan": [list(p) for p in e.plan]} for e in self.edits
        ]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Step":
        """The inverse of `to_dict` (the JSON shape of the HTTP API).

        Raises:
            KeyError: a field is missing.
        """
        return cls(d["action"], d.get("parameter"), d["explanation"],
                   tuple(Edit.from_dict(e) for e in d.get("edits", ())))


@dataclass(frozen=True)
class Span:
    """One changed (or damaged but unrecoverable) region.

    Attributes:
        kind: the damage, one of `chardata.SPAN_KINDS`.
        start: code-point offset into the input text (for bytes input, into
            the decoded text), inclusive; `end` exclusive.
        out_start: code-point offset into the output text; `out_end` exclusive.
        original: the input text of the region.
        repaired: the output text of the region (equal to `original` when the
            region could not be repaired).
        confidence: probability in [0, 1] that `repaired` is what the author
            wrote.
        plan: replays `original` into `repaired` before any conversion.
        explanation: one sentence a person can read.
        start_byte: for bytes input, offset of the region in the input bytes;
            else None. `end_byte` likewise.
        lost: code-point offsets into `repaired` of characters whose bytes
            were lost (each shown as U+FFFD).
        guessed: code-point offsets into `repaired` of characters whose bytes
            were partly lost and that the model guessed back.
    """

    kind: str
    start: int
    end: int
    out_start: int
    out_end: int
    original: str
    repaired: str
    confidence: float
    plan: tuple[PlanItem, ...]
    explanation: str
    start_byte: int | None = None
    end_byte: int | None = None
    lost: tuple[int, ...] = ()
    guessed: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["plan"] = [list(p) for p in self.plan]
        d["lost"] = list(self.lost)
        d["guessed"] = list(self.guessed)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Span":
        """The inverse of `to_dict` (the JSON shape of the HTTP API).

        Raises:
            KeyError: a required field is missing.
        """
        return cls(d["kind"], d["start"], d["end"], d["out_start"], d["out_end"],
                   d["original"], d["repaired"], d["confidence"], _plan(d["plan"]),
                   d["explanation"], d.get("start_byte"), d.get("end_byte"),
                   tuple(d.get("lost", ())), tuple(d.get("guessed", ())))


@dataclass(frozen=True)
class RepairResult:
    """What `repair`, `repair_text` and `repair_bytes` return.

    Attributes:
        text: the repaired text.
        confidence: probability in [0, 1] that `text` is what the author wrote.
        changed: True when `text` differs from the input (for bytes input,
            from the input decoded with `encoding`).
        encoding: for bytes input, Python's canonical codec name
            (``codecs.lookup(name).name``); None for text input.
        steps: the passes applied, in order; ``apply_plan(input, steps)``
            gives `text`.
        spans: every changed or damaged region, sorted by `start`.
        warnings: things the caller should know that changed nothing.
    """

    text: str
    confidence: float
    changed: bool
    encoding: str | None
    steps: tuple[Step, ...] = ()
    spans: tuple[Span, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "confidence": self.confidence,
            "changed": self.changed,
            "encoding": self.encoding,
            "steps": [s.to_dict() for s in self.steps],
            "spans": [s.to_dict() for s in self.spans],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "RepairResult":
        """The inverse of `to_dict`: reads the HTTP API's response object
        (its other fields, such as ``version``, ``model`` or a batch item's
        ``id``, are ignored).

        Raises:
            KeyError: a required field is missing.

        >>> r = RepairResult("数据", 0.99, True, None)
        >>> RepairResult.from_dict(r.to_dict()) == r
        True
        """
        return cls(d["text"], d["confidence"], d["changed"], d.get("encoding"),
                   tuple(Step.from_dict(s) for s in d.get("steps", ())),
                   tuple(Span.from_dict(s) for s in d.get("spans", ())),
                   tuple(d.get("warnings", ())))
