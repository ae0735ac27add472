"""Choose among candidate repairs of one region, and say how sure we are.

Costs are the language model's bits (`model.CharModel.cost`), so a cost
difference is a log-likelihood ratio. The posterior of each alternative
(leaving the text as it is, or each candidate) is the softmax of minus its
cost in base 2, with priors:

* leaving the text alone is favoured by `chardata.KEEP_PRIOR_BITS`, since
  most text is clean (no false positive is acceptable);
* each byte a repair had to guess costs `chardata.GUESS_BITS` (256
  possible values: 8 bits), each wrong decode beyond the first
  `chardata.LAYER_BITS`, each letter of another script a Chinese reading
  makes `chardata.FOREIGN_LETTER_BITS`.

A candidate wins only when it is more probable than keeping the text; its
posterior is the span's confidence. Where keeping wins, its own posterior
(`Doubt`) caps the document's confidence (`engine.repair_text`): a text kept
against a reading almost as likely is not vouched for. The document's
confidence is otherwise a logistic model over features of the result
(`features`, `document_confidence`), fitted on a generated evaluation set.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from ftfy import badness

from . import chardata
from .annotations import context_before
from .candidates import Candidate, one_repeated, residue_re
from .gate import get_gate
from .lexicons import script_of
from .model import CONTEXT_CHARS, OPENING_MARKS, CharModel, get_model


# Runs of symbols and arrows, math operators, box drawing, geometric shapes,
# dingbats and enclosed numbers (U+2190..U+27BF: Unicode categories So and
# Sm), which Chinese pages write (★☆ ratings, ✓, →, ①), three bytes each in
# UTF-8.
_SYMBOL_RUN_RE = re.compile("[\u2190-\u27bf]+")


@dataclass(frozen=True)
class Decision:
    """The winning candidate of a region and its posterior probability."""

    candidate: Candidate
    confidence: float
    gain_bits: float


def choose(text: str, candidates: list[Candidate], model: CharModel,
           keep_prior: float = chardata.KEEP_PRIOR_BITS, allow_defer: bool = False,
           loss_shown: bool = False, doubts: list[Doubt] | None = None) -> Decision | None:
    """Pick the best of `candidates` (all for one region of `text`) or none.

    Args:
        text: the text the candidates' offsets point into.
        candidates: alternatives for overlapping parts of one region.
        model: the language model.
        keep_prior: prior log-odds in bits against any repair
            (`chardata.KEEP_PRIOR_BITS`, lower in a page known to be damaged).
        allow_defer: return a winning non-Chinese reading too (else it means
            "leave this to ftfy" and None is returned).
        loss_shown: the page has already shown byte loss with confidence
            (`engine._realign_pass`'s second round): byte-loss repairs pay
            for their loss events, not per guessed byte (`_prior_bits`).
        doubts: if given, where keeping the text wins, receives a `Doubt`:
            the posterior of keeping it under the same softmax against the
            Chinese readings that lost (a reading that came within a few
            bits of the prior leaves the text about as likely damaged as
            not: Big5 所有 read as GBK, ┮Τ, is kept at 0.50).

    Returns:
        The winner and its confidence, or None when keeping the text is at
        least as probable as every candidate.
    """
    if not candidates:
        return None
    unique: dict[tuple[int, int, str], Candidate] = {}
    for c in candidates:  # the same repair reached by two plans counts once
        if c.defer or (c.guessed_bytes and len(c.replacement) == 1):
            # (competes without a reading test: the bar below is not needed)
            unique.setdefault((c.start, c.end, c.replacement), c)
            continue
        utf8 = ("decode", "utf-8") in c.plan or ("decode_lossy", "utf-8") in c.plan
        left = context_before(text, c.start, CONTEXT_CHARS)
        right = text[c.end : c.end + CONTEXT_CHARS]
        bar = _bar(c, text[c.start : c.end], text[max(0, c.start - 1) : c.start],
                   text[c.end : c.end + 1])
        units = 1 if utf8 or _plainly_residue(c, text[c.start : c.end]) else \
            chardata.MIN_REPAIRED_HAN
        if chardata.PRIVATE_USE_RE.search(c.replacement) and len(
                chardata.PRIVATE_USE_RE.findall(c.replacement)) > len(
                chardata.PRIVATE_USE_RE.findall(text, c.start, c.end)):
            # A reading that makes private-use characters is no repair:
            # GB18030's user-defined byte pairs, where the bytes were not GBK
            # (UTF-8 售价 read back through GBK with GBK text before it,
            # 鍞\ue1bb环: fresh-eyes report fe12 S2-2, repaired so at 0.95)
            continue
        if _utf8_mojibake_reading(c.replacement, model):
            continue  # nor one that is itself UTF-8 read as GBK
        if model.reads_as_chinese(
            c.replacement, left, right, bar, units,
        ) or c.lost and utf8 and chardata.HAN_RE.search(c.replacement) and model.reads_as_chinese(
            # A character lost from UTF-8 (U+FFFD) is a gap, not a character
            # the reading made: judged as a word break (电话� before 138
            # reads as 电话).
            c.replacement.replace("\ufffd", " "), left, right, bar, units,
        ) or not c.lost and _SYMBOL_RUN_RE.search(c.replacement) and model.reads_as_chinese(
            # Symbols a page writes (★☆ ✓ → ①) in a strict reading are read
            # as written, not judged as Chinese characters: the Chinese
            # around them is (评分：★★★★☆ read as GBK, 璇勫垎锛氣槄鈽…;
            # ◆联系我们◆ read as Big5, ↑薊炵扂蠅↑).
            _SYMBOL_RUN_RE.sub(" ", c.replacement), left, right, bar, units,
        ):
            unique.setdefault((c.start, c.end, c.replacement), c)
    candidates = list(unique.values())
    if not candidates:
        return None
    lo = min(c.start for c in candidates)
    hi = max(c.end for c in candidates)
    costs = []
    windows: list[str] = []
    if hi - lo <= chardata.MAX_SHARED_WINDOW:
        # One window for all: every candidate is scored with the same text
        # around it, so regions of different extent compare exactly.
        left = context_before(text, lo, CONTEXT_CHARS)
        right = text[hi : hi + CONTEXT_CHARS]
        # Person names are read in the text as it came and around a repair,
        # not in what a repair makes (`CharModel.cost`'s `names`).
        keep = model.cost(text[lo:hi], left, right, names=(0, 0)) - keep_prior
        for c in candidates:
            window = text[lo : c.start] + c.replacement + text[c.end : hi]
            windows.append(window)
            made = (c.start - lo, c.start - lo + len(c.replacement))
            costs.append(model.cost(window, left, right, names=made)
                         + _prior_bits(c, keep_prior, loss_shown))
    else:
        # A long region: each candidate against leaving its own region as
        # it is, in its own context (linear in the region's length).
        keep = -keep_prior
        for c in candidates:
            left = context_before(text, c.start, CONTEXT_CHARS)
            right = text[c.end : c.end + CONTEXT_CHARS]
            delta = (model.cost(c.replacement, left, right, names=(0, len(c.replacement)))
                     - model.cost(text[c.start : c.end], left, right, names=(0, 0)))
            costs.append(delta + _prior_bits(c, keep_prior, loss_shown))
    # One character's bytes read as a word of two letters: no cost tells
    # them apart (`_one_character_word`); keeping the text ties with such a
    # reading at best, and the tie goes to the text as it came.
    costs = [max(cost, keep) if _one_character_word(text, c) else cost
             for c, cost in zip(candidates, costs)]
    best = min(range(len(candidates)), key=costs.__getitem__)
    if costs[best] >= keep and doubts is not None:
        readings = [k for k, c in enumerate(candidates) if not c.defer]
        if readings:
            weights = [2.0 ** ((keep - costs[k]) / chardata.CONFIDENCE_TEMPERATURE)
                       for k in readings]
            likeliest = readings[max(range(len(readings)), key=weights.__getitem__)]
            c = candidates[likeliest]
            doubts.append(Doubt(c.start, c.end, text[c.start : c.end], c.replacement, c.kind,
                                round(1.0 / (1.0 + sum(weights)), 4)))
    if costs[best] >= keep or (candidates[best].defer and not allow_defer):
        return None
    floor = min(costs[best], keep)
    weights = [2.0 ** ((floor - c) / chardata.CONFIDENCE_TEMPERATURE) for c in costs]
    keep_weight = 2.0 ** ((floor - keep) / chardata.CONFIDENCE_TEMPERATURE)
    # Candidates that make the same text are one outcome (a span with or
    # without the space after it: 缁撴灉 and 缁撴灉 followed by a space both
    # read back to 结果 and that space): their weights add up, and the
    # narrowest stands for it. (In a long region too: <b>鏁版嵁</b> repeated
    # over 400 characters, read whole and between its first and last tag,
    # split the weight 0.5 each; fresh-eyes report fe12 S2-4.)
    if not windows:
        windows = [text[lo : c.start] + c.replacement + text[c.end : hi] for c in candidates]
    same = [k for k, w in enumerate(windows) if w == windows[best]]
    best_weight = sum(weights[k] for k in same)
    best = min(same, key=lambda k: (candidates[k].end - candidates[k].start, costs[k]))
    confidence = best_weight / (sum(weights) + keep_weight)
    confidence = min(confidence, chardata.MAX_SPAN_CONFIDENCE)
    return Decision(candidates[best], round(confidence, 4), keep - costs[best])


def utf8_mojibake_stretches(text: str, model: CharModel) -> list[tuple[int, int]]:
    """Stretches of `text` that are UTF-8 read as GBK: three characters whose
    GBK bytes are two UTF-8 sequences in a row (`gate.Gate.utf8_in_gbk_re`)
    that cost at least `chardata.UTF8_MOJIBAKE_MIN_BITS` bits a character
    in context, at most one of them inside a dictionary word written there
    (`CharModel.in_word`). Clean text matches the pattern rarely (5 times in
    the 730,000 characters of the corpus's pages, at 4.7-9.2 bits), mojibake
    at 13.6 bits or more (jieba's 400 commonest words garbled twice) and
    with none of its characters in a word; a rare given name before a word
    costs as much (瑾宠爱 in 王瑾宠爱她的女儿, 12.4 bits: fresh-eyes report
    fe11c S2-4, 44 of 200 such sentences), but two of its three characters
    are a word.

    Returns:
        ``(start, end)`` code-point offsets into `text`, in order.
    """
    return list(_utf8_mojibake(text, model))


def _utf8_mojibake(text: str, model: CharModel):
    """`utf8_mojibake_stretches`, one at a time."""
    for m in get_gate().utf8_in_gbk_re.finditer(text):
        if sum(model.in_word(text, k) for k in range(m.start(), m.end())) >= 2:
            continue  # words written there: 瑾宠爱 in 王瑾宠爱她的女儿 (a name, then 宠爱)
        left = text[max(0, m.start() - CONTEXT_CHARS) : m.start()]
        right = text[m.end() : m.end() + CONTEXT_CHARS]
        added = model.cost(m.group(), left, right) - model.cost("", left, right)
        if added >= chardata.UTF8_MOJIBAKE_MIN_BITS * len(m.group()):
            yield m.start(), m.end()


def _utf8_mojibake_reading(text: str, model: CharModel) -> bool:
    """Whether a candidate's reading `text` holds UTF-8 read as GBK
    (`utf8_mojibake_stretches`; the first found is enough), which a repair
    does not make (瀛欎开, 孙俪 half peeled out of UTF-8, Latin-1 and GBK,
    won at 0.997: fresh-eyes report fe11b S2-4)."""
    return next(_utf8_mojibake(text, model), None) is not None


class Doubt(NamedTuple):
    """A region kept as it came although a Chinese reading of it came close.

    Attributes:
        start, end: code-point offsets of the likeliest reading's region in
            the text `choose` was given.
        original: that region's characters, as kept.
        reading: what that reading makes of them.
        kind: its kind (a key of `chardata.SPAN_KINDS`).
        keep_posterior: the posterior that keeping the text is right, in
            [0, 1] (`choose`'s softmax over keeping and every Chinese reading).
    """

    start: int
    end: int
    original: str
    reading: str
    kind: str
    keep_posterior: float


def _one_character_word(text: str, c: Candidate) -> bool:
    """Whether candidate `c` reads one Han character where `text` has a
    word of another script standing alone that is one double-byte
    character's bytes in the wrong codec: two Cyrillic letters cased as
    words are (Да, ЁЖ: GBK 泥 and Big5 事 read as windows-1251) or one
    hangul syllable (된: GBK 等 read as cp949). The two codecs read those
    two bytes as equally plausible text, and the model's costs compare a
    common Han character with a token of a rare script in Chinese text,
    which says how common each is, not which codec made the bytes (the same
    reason two-byte undeclared input is taken at most at 0.5: `decode`).
    Such a reading does not win over the text; where it comes closest,
    keeping the text is right with posterior 0.5 and a warning names the
    reading (`Doubt`)."""
    if len(chardata.HAN_RE.findall(c.replacement)) != 1:
        return False
    region = text[c.start : c.end]
    letters = "".join(ch for ch in region if not ch.isascii())
    scripts = {script_of(ch) for ch in letters}
    if not (len(letters) == 2 and scripts == {"cyrillic"} and letters.isalpha()
            and (letters.islower() or letters.isupper() or letters.istitle())
            or len(letters) == 1 and scripts == {"hangul"}):
        return False
    if letters not in region:
        return False
    a = c.start + region.index(letters)
    b = a + len(letters)
    if a > 0 and text[a - 1] in OPENING_MARKS and text[b : b + 1] == "，":
        # a quotation that goes on in Chinese after ，was Chinese
        # (`model.COMMA_SWITCH_LETTER_RE`): 「봤，請稍等。」 is GBK 好
        return False
    return not any(0 <= k < len(text) and text[k].isalpha()
                   and not chardata.HAN_RE.match(text, k) for k in (a - 1, b))


def _prior_bits(c: Candidate, keep_prior: float = chardata.KEEP_PRIOR_BITS,
                loss_shown: bool = False) -> float:
    """Prior cost of a candidate's story: each guessed byte, each wrong
    decode beyond the first, (for a Chinese reading) each letter of a
    script other than Latin and Han it makes (ѧ for a clean 学 next to a
    repair; Vietnamese ộ in a name is Latin), and where its edges fall
    (`Candidate.edge_bits`: a Big5 <-> GBK repair that starts or ends
    between two Han characters).

    A byte-loss repair (`Candidate.loss_events`) pays for its loss events,
    not for the values of the bytes it guesses. The text it makes, guessed
    characters included, is scored by the model: P(text) already holds
    P(常化 after 經), and the damage turns that text into the input with
    no further choice, so a charge per guessed value on top counts those
    characters twice. Summing over the fills (the posterior of "bytes were
    lost here") needs no correction for how many fills were tried: under a
    calibrated model the odds it gives a clean text exceed 2**x with
    probability at most 2**-x (Markov's inequality), however many fills are
    summed; deciding by the best fill alone, as here, is more conservative
    still. What remains is the prior of each lost byte: the first is
    `keep_prior` (one loss at this place: 2**-12, or 2**-4 in a page
    already shown to lose bytes), each further byte lost without a trace
    (the ``skipped`` trail) is another such event at the same odds.

    That needs a model calibrated on what it scores. It is used only where
    measured: for the ``skipped`` variant, in a page that has shown the
    damage (`loss_shown`), when every guessed character is Han. Elsewhere
    each guessed byte keeps `chardata.GUESS_BITS`, a margin for the model's
    errors (without it a U+FFFD after 标题 re-reads as 标刺猬 in clean text,
    tests/cases lost-002), and so does a guessed mark, since quotation
    marks come in pairs that a bigram of marks does not see (重要!。 in a
    damaged page re-read as 重要。”。)."""
    if loss_shown and c.loss_events and all(
            chardata.HAN_RE.match(c.replacement[k]) for k in c.guessed):
        return keep_prior * (c.loss_events - 1) + c.edge_bits
    foreign = 0 if c.defer else sum(
        1 for ch in c.replacement
        if "\u0250" <= ch < "\u3000" and not "\u1e00" <= ch <= "\u1eff"
        and unicodedata.category(ch).startswith("L"))
    return (chardata.GUESS_BITS * c.guessed_bytes + chardata.LAYER_BITS * (c.layers - 1)
            + chardata.FOREIGN_LETTER_BITS * foreign + c.edge_bits)


def model_odd(original: str) -> bool:
    """Whether `original` holds two odd characters close by
    (`CharModel.odd_pair_re`)."""
    return get_model().odd_pair_re.search(original) is not None


def _bar(candidate: Candidate, original: str, before: str = "", after: str = "") -> float:
    """Most bits per Han character a candidate may cost (see
    `CharModel.reads_as_chinese`): higher where the evidence that the original
    is mojibake is strong, a valid UTF-8 byte sequence or an original that
    ftfy's badness measure finds plainly bad, letters of another script
    that a wrong codec made amid Chinese (`_other_script_damage`; `before`
    and `after`: the character either side of `original` in the text), a C1
    control the reading explains (U+0080..U+009F, which no text holds and a
    Latin-1 decode makes of bytes 0x80..0x9F: GBK 王喆 is ``Íõ\x86´``, as
    `_plain_layer` takes it for a layer), or a
    private-use character the reading explains (GB18030 reads Big5 pairs
    with a lead byte 0xA1..0xA7 and a trail below 0xA1 as private use:
    Big5 登入, B5 6E A4 4A, is 祅 U+E5F0)."""
    if candidate.layers > 1:
        # A second wrong decode needs plain evidence: every layer valid UTF-8,
        # a layer plainly mojibake (`_plain_layer`), or a reading that is
        # clearly Chinese.
        utf8_only = all(p == "utf-8" for a, p in candidate.plan if a.startswith("decode"))
        return (chardata.MAX_BITS_PER_HAN_UTF8 if utf8_only or _plain_layer(candidate, original)
                else chardata.MAX_BITS_PER_HAN)
    bad = (badness.badness(original) >= chardata.BAD_ORIGINAL_BADNESS
           or _other_script_damage(candidate, before + original + after)
           or chardata.C1_RE.search(original) is not None
           and chardata.C1_RE.search(candidate.replacement) is None)
    utf8 = ("decode", "utf-8") in candidate.plan
    if utf8 and model_odd(original):
        # Valid UTF-8 bytes behind odd characters (鐜嬪枂): names such as 王喆
        # (16.8 bits) read back.
        return chardata.MAX_BITS_PER_HAN_UTF8_ODD
    if bad:
        return chardata.MAX_BITS_PER_HAN_BAD_ORIGINAL
    if utf8:
        return chardata.MAX_BITS_PER_HAN_UTF8
    if (chardata.PRIVATE_USE_RE.search(original) is not None
            and chardata.PRIVATE_USE_RE.search(candidate.replacement) is None):
        return chardata.MAX_BITS_PER_HAN_PRIVATE_USE
    return chardata.MAX_BITS_PER_HAN




def _plain_layer(candidate: Candidate, original: str) -> bool:
    """Whether a layered `candidate` (plain ``encode``/``decode`` steps) reads
    `original`, on its way, as text that is plainly mojibake: holding a C1
    control (U+0080..U+009F), which no text holds and a Latin-1 decode of
    UTF-8 or GBK bytes makes, as valid UTF-8 is made by no accident (GBK
    梁燊说 read as Latin-1, saved as UTF-8, read as GBK is 脕潞聼枚脣碌, whose
    middle layer Áº\x9föË holds one: 燊 is 9F F6); or that ftfy's badness
    measure finds plainly bad (`chardata.BAD_ORIGINAL_BADNESS`, the test
    `_bar` puts to a one-layer repair's original: GBK 撇去浮沫 so made is
    脝虏脠楼赂隆脛颅, whose middle layer is Æ²È¥¸¡Ä\xad)."""
    value: str | bytes = original
    for action, codec in candidate.plan[:-1]:
        try:
            if action == "encode" and isinstance(value, str):
                value = value.encode(codec)
            elif action == "decode" and isinstance(value, bytes):
                value = value.decode(codec)
                if chardata.C1_RE.search(value) or (
                        badness.badness(value) >= chardata.BAD_ORIGINAL_BADNESS):
                    return True
            else:
                return False
        except UnicodeError:
            return False
    return False


# Hangul and Cyrillic letters (`chardata.OTHER_SCRIPT_LETTER_RE` less the
# half-width katakana, which Japanese text writes against its kanji itself:
# ﾃｽﾄ用ﾃﾞｰﾀ).
_HANGUL_OR_CYRILLIC_RE = re.compile("[\uac00-\ud7a3\u0400-\u045f]")
# Chinese punctuation that runs on within a sentence, not the marks that open
# or close a quotation, a title or an aside.
_RUNNING_MARKS = frozenset(chardata.CJK_PUNCTUATION) - frozenset("“”‘’（）《》〈〉【】「」『』")


def _plainly_residue(candidate: Candidate, original: str) -> bool:
    """Whether `original` is, but for ASCII, nothing but what the wrong codec
    of another script makes of Chinese bytes and clean Chinese text does not
    hold (`candidates.residue_re`: half-width katakana for cp932, hangul
    for cp949, the upper half's leftovers for cp1251 and cp1250), two bytes
    at least in that codec (a whole double-byte character: ﾔﾚ, 봤, or one
    leftover and its ASCII trail byte). Such an original
    is plainly damage, so a reading of one Han character is evidence
    enough (`CharModel.reads_as_chinese`'s `min_units` 1, as for valid
    UTF-8): ﾔﾚ before `` config.yaml`` is GBK 在 read as cp932, 봤 in
    「봤，請稍等。」 GBK 好 read as cp949. Not one character repeated: a
    doubled letter is a byte pair whose lead is its trail (ДД is cp1251
    C4 C4, GBK 哪), which any word with a doubled letter makes, and the
    repeat is no more evidence than the first (clean 我爱你ДД was 我爱你哪)."""
    if not (candidate.plan and candidate.plan[0][0] == "encode"
            and candidate.plan[0][1] in chardata.OTHER_SCRIPT_CODECS):
        return False
    wrong = candidate.plan[0][1]
    residue = residue_re(wrong)
    core = [ch for ch in original if not ch.isascii()]
    if residue is None or not core or not all(
            residue.match(ch) and ch != "\ufffd" for ch in core):
        return False
    if one_repeated(original):
        return False
    try:
        return len(original.encode(wrong)) >= 2  # a whole double-byte character
    except UnicodeEncodeError:
        return False


def _other_script_damage(candidate: Candidate, stretch: str) -> bool:
    """Whether `candidate` undoes a wrong codec of another script
    (`chardata.OTHER_SCRIPT_ROUND_TRIPS`) and `stretch` (its original with
    the character either side) holds a letter of such a script: a hangul or
    Cyrillic letter (`_HANGUL_OR_CYRILLIC_RE`) touching a Han character or a
    Chinese mark that runs on in a sentence, or a half-width katakana
    touching ，. ftfy's
    badness measure does not count those letters (늪棍 for GBK 此外 read as
    cp949 scores 0), yet run into Chinese text they are as plain a sign of
    a wrong decode as the Latin-1 mojibake it does count, so the reading may
    cost as much per Han character (`chardata.MAX_BITS_PER_HAN_BAD_ORIGINAL`):
    a two-character repair pays its two edges in context (此外 between 。
    and ，臺鐵 adds 15.8 bits a character). Russian or Korean text on its own
    (Київ, 疏库 through GBK), or quoted (韩语“안녕하세요”, 基辅（Київ）: a
    mark that opens or closes a quotation does not count), keeps the plain
    bar."""
    if not (candidate.plan and candidate.plan[0][0] == "encode"
            and candidate.plan[0][1] in chardata.OTHER_SCRIPT_CODECS):
        return False
    for m in _HANGUL_OR_CYRILLIC_RE.finditer(stretch):
        for k in (m.start() - 1, m.end()):
            if 0 <= k < len(stretch) and (chardata.HAN_RE.match(stretch, k)
                                          or stretch[k] in _RUNNING_MARKS):
                return True
    # Half-width katakana count only beside a full-width comma, which Chinese
    # writes and Japanese does not (its comma is 、): 查詢，ｱﾜ饑 is GBK 避開
    # read as cp932.
    for m in chardata.HALF_WIDTH_KATAKANA_RE.finditer(stretch):
        if any(0 <= k < len(stretch) and stretch[k] == "，" for k in (m.start() - 1, m.end())):
            return True
    return False


def result_features(text: str, spans, changed: bool, model: CharModel,
                    length: int | None = None) -> list[float]:
    """`features` of a repair: `text` before any conversion (or its suspect
    pieces, with the whole text's `length`), its `spans` (objects with
    ``confidence`` and ``guessed``), whether it `changed`."""
    guessed_spans = [s.confidence for s in spans if s.guessed]
    return features(text, [chardata.CLEAN_CONFIDENCE] + [s.confidence for s in spans], changed,
                    model, sum(len(s.guessed) for s in spans),
                    min(guessed_spans) if guessed_spans else 1.0, length)


def features(text: str, span_confidences: list[float], changed: bool, model: CharModel,
             guessed: int = 0, least_sure_guess: float = 1.0, length: int | None = None
             ) -> list[float]:
    """What the document confidence is computed from (see `document_confidence`).

    Args:
        text: the repaired text (before any conversion).
        span_confidences: each span's own confidence.
        changed: whether the text differs from the input.
        model: the language model.
        guessed: characters guessed back from lost bytes.
        least_sure_guess: confidence of the least sure span with a guessed
            character (1.0 where nothing was guessed).
        length: characters in the whole document when `text` is only its
            suspect pieces (`gate.Gate.suspect_pieces`: the rest holds no
            signal of damage), so that counts are taken per stretch of the
            document, as for a text scored whole; None: ``len(text)``.

    Returns:
        ``[1, logit of the product of span confidences (its root by the
        number of stretches of `chardata.CONFIDENCE_STRETCH_CHARS`
        characters in `text`, at least 1), unsure spans, worst
        3-character stretch of the text in bigram bits per character,
        log(1 + characters that sit badly beside Han characters), changed,
        log(1 + guessed characters), log(1 + lone ASCII letters or @ between
        or beside Han characters, less letters of dictionary words: A股,
        T恤), log(1 + characters costing at least
        `chardata.SURPRISING_BITS` after the one before), log(1 + Latin-1
        upper-half characters: ´¿ÃÞ left as they were), log of
        `least_sure_guess`, 1 if any character was guessed, log(1 + letters
        of the scripts the other wrong codecs make: half-width katakana,
        hangul, Cyrillic (`chardata.OTHER_SCRIPT_LETTER_RE`))]``; the counts
        are per
        `chardata.CONFIDENCE_STRETCH_CHARS` characters.
        The worst stretch and the misfits are measured on the first
        `chardata.CONFIDENCE_SCAN_CHARS` characters.
    """
    sample = text[: chardata.CONFIDENCE_SCAN_CHARS]
    # The span confidences' product per stretch too: a page of 3,000 sure
    # repairs (each capped at chardata.MAX_SPAN_CONFIDENCE) is as sure as a
    # title with one, not 0.9999 ** 3000.
    scale = max(1.0, length / max(1, len(text))) if length is not None else 1.0
    per = max(1.0, len(text) * scale / chardata.CONFIDENCE_STRETCH_CHARS)
    raw = math.exp(sum(math.log(max(c, 1e-12)) for c in span_confidences) / per)
    raw = min(max(raw, 1e-6), 1 - 1e-6)
    # (map, zip and a regex rather than a loop over characters: a clean page's
    # suspect pieces are thousands of characters)
    bits = list(map(model.char_bits, itertools.chain(("",), sample), sample))
    misfits = sum(1 for _ in _MISFIT_BESIDE_HAN_RE.finditer(sample))
    worst = (max(a + b + c for a, b, c in zip(bits, bits[1:], bits[2:])) if len(bits) >= 3
             else sum(bits)) / 3
    unsure = sum(1 for c in span_confidences if c < chardata.DAMAGED_DOC_MIN_CONFIDENCE)
    # A letter inside a dictionary word (A股, T恤, X光, B超, U盘) is text, and
    # so are brackets set in pairs ([公告]: chardata.BRACKET_PAIR_RE).
    paired = ({k for m in chardata.BRACKET_PAIR_RE.finditer(sample)
               for k in (m.start(), m.end() - 1)}
              if "[" in sample or "{" in sample else set())
    if "|" in sample:
        # ...and bars that part a line's items, two on a line at least
        # (首页|新闻|体育: a menu or a table row, scored 0.14 and 0.005
        # before: fresh-eyes report fe11a S3-1)
        paired |= _separator_bars(sample)
    lone = sum(1 for m in chardata.LONE_ASCII_BESIDE_HAN_RE.finditer(sample)
               if not (m.group().isalpha() and model.in_letter_word(sample, m.start()))
               and m.start() not in paired)
    surprising = sum(1 for b in bits if b >= chardata.SURPRISING_BITS)
    # Counts per stretch of CONFIDENCE_STRETCH_CHARS characters, so that a
    # long clean page with a few rare names scores as a short one does.
    stretches = max(1.0, len(sample) * scale / chardata.CONFIDENCE_STRETCH_CHARS)
    latin1 = len(chardata.LATIN1_HIGH_RE.findall(sample))
    other = _other_script_leftovers(sample, model)
    return [1.0, math.log(raw / (1 - raw)), float(unsure), worst,
            math.log1p(misfits / stretches), 1.0 if changed else 0.0,
            math.log1p(guessed / stretches), math.log1p(lone / stretches),
            math.log1p(surprising / stretches), math.log1p(latin1 / stretches),
            math.log(max(least_sure_guess, 1e-6)), 1.0 if guessed else 0.0,
            math.log1p(other / stretches)]


_BAR_RE = re.compile(r"\|")


def _separator_bars(text: str) -> set[int]:
    """Offsets into `text` of the bars on lines that hold two or more
    (电影|电视剧|综艺: a menu or a table row parts its items so), not the
    trail bytes 0x7C of characters that lost their lead bytes."""
    out: set[int] = set()
    start = 0
    for line in text.split("\n"):
        if line.count("|") >= 2:
            out.update(start + m.start() for m in _BAR_RE.finditer(line))
        start += len(line) + 1
    return out


# A character of `chardata.MISFIT_RE` with a Han character on one side.
_MISFIT_BESIDE_HAN_RE = re.compile(
    f"{chardata.MISFIT_RE.pattern}(?:(?<={chardata.HAN_RE.pattern}.)|(?={chardata.HAN_RE.pattern}))")


# A quotation or a parenthesis: where a Chinese text quotes a word of another
# script on purpose (他说：“Я люблю тебя”).
_QUOTED_RE = re.compile("“[^”\n]*”|\"[^\"\n]*\"|「[^」\n]*」|『[^』\n]*』|《[^》\n]*》"
                        "|（[^）\n]*）|\\([^)\n]*\\)")


def _other_script_leftovers(text: str, model: CharModel) -> int:
    """Letters of other scripts (`chardata.OTHER_SCRIPT_LETTER_RE`: hangul,
    half-width katakana, Cyrillic) outside quotations and parentheses
    (`_QUOTED_RE`): what a wrong decode leaves (눼쉔벌소, е€›е»є), where a
    quoted Korean or Russian word (“Я люблю тебя”) is the writer's, and so,
    in a text with no Han character, is a word of wordfreq's lists
    (`CharModel.lexicon`): a run of Cyrillic
    letters that is a Russian or Ukrainian word (Москва, столица), a run of
    hangul that begins with a Korean word of two syllables or more (서울은,
    한국의; a wrong decode's hangul, 눼쉔벌소, begins with none)."""
    if not chardata.OTHER_SCRIPT_LETTER_RE.search(text):
        return 0
    text = _QUOTED_RE.sub("", text)
    if chardata.HAN_RE.search(text):
        # beside Chinese, such words are as likely what a wrong decode made
        # (a Russian word a cp1251 round trip read as Chinese beside them)
        return len(chardata.OTHER_SCRIPT_LETTER_RE.findall(text))
    lexicon = model.lexicon
    for script in ("hangul", "cyrillic"):
        # a run that begins with a word of two letters at least (a Cyrillic
        # word is its whole run: `lexicons.WHOLE_RUN_SCRIPTS`)
        text = lexicon.runs(script).sub(
            lambda m: "" if any(n >= 2 for n, _ in lexicon.words_at(m.string, m.start(), script))
            else m.group(), text)
    return len(chardata.OTHER_SCRIPT_LETTER_RE.findall(text))


# What each feature of `features` that can lower the confidence says, by its
# index: the logistic model's terms, read back for a person.
_FEATURE_REASONS = {
    1: "a repair the scorer is unsure of",
    2: "repairs the scorer is unsure of",
    3: "a stretch of characters in an order Chinese rarely writes",
    7: "ASCII letters or symbols alone beside Han characters (what a GBK character "
       "that lost its lead byte leaves)",
    9: "Latin-1 characters (what a single-byte decode of Chinese bytes leaves)",
    12: "letters of hangul, half-width katakana or Cyrillic (what a Korean, Japanese "
        "or Russian codec makes of Chinese bytes)",
}
# A feature lowers the log-odds by at least this much to be named.
_REASON_MIN_LOGIT = 1.0


def low_confidence_reason(feats: list[float]) -> str | None:
    """What lowered the document confidence computed from `feats`
    (`features`): the terms of `_FEATURE_REASONS` that take at least
    `_REASON_MIN_LOGIT` from its log-odds, most first, at most three, as one
    phrase; None when none does."""
    terms = sorted((w * feats[k], k) for k, w in enumerate(chardata.CONFIDENCE_WEIGHTS)
                   if k in _FEATURE_REASONS and k < len(feats))
    named = [_FEATURE_REASONS[k] for value, k in terms if value <= -_REASON_MIN_LOGIT][:3]
    if not named:
        return None
    return ("the text holds " + "; ".join(named)
            + ": clean text seldom does, and damage luanma could not read back may")


def document_confidence(feats: list[float]) -> float:
    """Probability that the output is exactly what the author wrote: a
    logistic model over `features`, fitted by ``benchmarks/quality.py
    --calibrate`` on the calibration half of the generated evaluation set
    (weights in `chardata.CONFIDENCE_WEIGHTS`). Returns a float in [0, 1],
    rounded to four places."""
    z = sum(w * f for w, f in zip(chardata.CONFIDENCE_WEIGHTS, feats))
    z = max(min(z, 40.0), -40.0)
    return round(1.0 / (1.0 + math.exp(-z)), 4)
