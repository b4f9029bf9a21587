"""Birth certificate (свидетельство о рождении) in two layouts.

"labels_left": the newer blank, a label left of each value on an underline.
"caption_below": the older blank, values centred on a line with a small caption below it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import ImageFont

from .canvas import (
    FORM_COLORS,
    INK_BLACK,
    RGB,
    SERIES_RED,
    Sheet,
    case_name,
    emblem,
    fit_font,
    mm,
    paper,
    pt,
    seal,
    signature,
    soften,
    wrap,
    yo,
)
from .data import Person, random_official
from .document import DPI, ChildRecord, GeneratedDocument, child_record
from .fonts import FontFamily, families, font
from .numbers import (
    MONTHS_GENITIVE,
    date_in_words,
    date_long,
    dotted,
    random_act_record_number,
    random_certificate_number,
    random_certificate_series,
)

CERTIFICATE_LAYOUTS: tuple[str, ...] = ("labels_left", "caption_below")

PAGE_W, PAGE_H = mm(148), mm(210)

SEAL_OVER_ISSUE_DATE = 0.4
"""Share of certificates whose registry office's seal is stamped over the date of issue."""


class LayoutOverflowError(RuntimeError):
    """The generated content did not fit on the page (a generator bug)."""


@dataclass
class _Style:
    value_fam: FontFamily
    label_fam: FontFamily
    vfont: ImageFont.FreeTypeFont
    lfont: ImageFont.FreeTypeFont
    cfont: ImageFont.FreeTypeFont
    sfont: ImageFont.FreeTypeFont  # secondary values (date in words, registry office)
    form: RGB
    ink: RGB
    upper: bool
    keep_yo: bool
    gap: float
    vdx: int
    vdy: int


Segment = tuple[str, str, str | None]  # (text, "label"|"value", key)


class _Writer:
    """Lays lines out top to bottom on a sheet."""

    def __init__(self, sheet: Sheet, st: _Style, rnd: random.Random, left: int, right: int):
        self.sheet = sheet
        self.st = st
        self.rnd = rnd
        self.left = left
        self.right = right
        self.y = 0.0

    def jitter(self) -> tuple[int, int]:
        return self.st.vdx + self.rnd.randint(-3, 3), self.st.vdy + self.rnd.randint(-3, 3)

    def flow(self, segments: Sequence[Segment], x0: float | None = None) -> None:
        """Label and value runs left to right, wrapping between runs (labels per word)."""
        st = self.st
        pieces: list[Segment] = []
        for text, role, key in segments:
            if role == "label":
                pieces.extend((w, role, key) for w in text.split())
            else:
                pieces.append((text, role, key))
        x = self.left if x0 is None else x0
        for text, role, key in pieces:
            fnt = st.lfont if role == "label" else st.vfont
            width = fnt.getlength(text)
            if x + width > self.right and x > self.left:
                self.y += st.gap
                x = self.left
            if role == "label":
                self.sheet.text(x, self.y, text, fnt, st.form)
                x += width + fnt.getlength(" ")
            else:
                # Values are typed into gaps of the printed form: keep clear of the labels.
                x += mm(1.5)
                dy = st.vdy + self.rnd.randint(-3, 3)
                self.sheet.text(x, self.y + dy, text, fnt, st.ink, key=key)
                x += width + fnt.getlength(" ") + mm(1.5)
        self.y += st.gap


def generate_certificate(
    seed: int, layout: str | None = None, font_set: str = "train"
) -> GeneratedDocument:
    """A birth certificate for the child of ``seed`` (the same child as the seed's policy)."""
    pick = random.Random(f"certificate-layout:{seed}")
    if layout is None:
        layout = pick.choice(CERTIFICATE_LAYOUTS)
    if layout not in CERTIFICATE_LAYOUTS:
        raise ValueError(f"unknown certificate layout {layout!r}; use one of {CERTIFICATE_LAYOUTS}")
    # Long names and places can push the bottom off the page: tighten the spacing and retry.
    cache: dict[str, object] = {}
    for squeeze in (1.0, 0.93, 0.86, 0.79, 0.72, 0.65):
        try:
            return _render(seed, layout, font_set, squeeze, cache)
        except LayoutOverflowError:
            continue
    raise LayoutOverflowError(f"certificate seed {seed} layout {layout} does not fit the page")


def _render(
    seed: int, layout: str, font_set: str, squeeze: float, cache: dict[str, object]
) -> GeneratedDocument:
    rec = child_record(seed)
    rnd = random.Random(f"certificate:{seed}:{layout}:{font_set}")
    rng = np.random.default_rng(rnd.getrandbits(64))
    fams = families(font_set, serif=True)

    # What is printed depends on the seed alone (not on the layout or fonts).
    content = random.Random(f"certificate-content:{seed}")
    fam = rec.family
    series = random_certificate_series(content)
    number = random_certificate_number(content)
    act_number = random_act_record_number(content, rec.registered, rec.place.okato)
    issued = rec.registered
    if content.random() < 0.1 and (rec.reference - rec.registered).days > 60:
        # A repeat certificate (повторное), issued later for the same act record.
        issued = rec.registered + dt.timedelta(
            days=content.randint(30, (rec.reference - rec.registered).days)
        )
    keep_yo = content.random() < 0.5
    upper = rnd.random() < 0.65
    child = fam.child
    last = yo(child.last_name, keep_yo)
    first = yo(child.first_name, keep_yo)
    middle = yo(child.patronymic, keep_yo)
    truth: dict[str, str | None] = {
        "last_name": last,
        "first_name": first,
        "patronymic": middle,
        "birth_date": rec.birth_date.isoformat(),
        "birth_place": rec.place.birth_place,
        "birth_certificate_series": series,
        "birth_certificate_number": number,
        "birth_certificate_issue_date": issued.isoformat(),
        "birth_act_record_number": act_number,
    }

    # How it looks.
    value_fam = rnd.choice(fams)
    label_fam = rnd.choice(fams)
    small_page = layout == "caption_below"
    vsize = pt(rnd.uniform(11.0, 12.5) if small_page else rnd.uniform(11.5, 13.0))
    lsize = pt(rnd.uniform(9.0, 10.5))
    st = _Style(
        value_fam=value_fam,
        label_fam=label_fam,
        vfont=font(value_fam.bold if rnd.random() < 0.3 else value_fam.regular, vsize),
        lfont=font(label_fam.regular, lsize),
        cfont=font(
            label_fam.italic if rnd.random() < 0.5 else label_fam.regular, pt(rnd.uniform(6.5, 7.5))
        ),
        sfont=font(value_fam.regular, pt(rnd.uniform(9.5, 10.5))),
        form=rnd.choice(FORM_COLORS),
        ink=rnd.choice(INK_BLACK),
        upper=upper,
        keep_yo=keep_yo,
        gap=vsize * (rnd.uniform(1.45, 1.6) if small_page else rnd.uniform(1.42, 1.65)) * squeeze,
        vdx=rnd.randint(-18, 18),
        vdy=rnd.randint(-10, 6),
    )
    tint = rnd.choice(((200, 225, 200), (215, 225, 190), (230, 210, 185), (205, 215, 225)))
    base = (rnd.randint(244, 250), rnd.randint(243, 249), rnd.randint(234, 244))
    strength = rnd.uniform(0.28, 0.45)
    # The background does not depend on the spacing: a retry reuses it (it is the slow part).
    cached = cache.get("paper")
    if isinstance(cached, tuple):
        background, rng.bit_generator.state = cached
    else:
        background = paper(PAGE_W, PAGE_H, rng, base, tint, strength)
        cache["paper"] = (background, rng.bit_generator.state)
    sheet = Sheet(background.copy())
    margin_l = mm(rnd.uniform(11, 17))
    margin_r = mm(rnd.uniform(10, 15))
    w = _Writer(sheet, st, rnd, margin_l, PAGE_W - margin_r)
    w.y = mm(rnd.uniform(9, 14))

    # Heading.
    emb = mm(rnd.uniform(16, 20)) * squeeze
    emblem(sheet, PAGE_W / 2 + rnd.randint(-10, 10), w.y, emb, st.form)
    w.y += emb + pt(9)
    head_font = font(label_fam.bold, pt(rnd.uniform(8, 9.5)))
    sheet.text(PAGE_W / 2, w.y, "РОССИЙСКАЯ ФЕДЕРАЦИЯ", head_font, st.form, anchor="ms")
    w.y += pt(rnd.uniform(22, 26))
    title_font = fit_font(
        label_fam.bold, pt(rnd.uniform(16, 19)), "СВИДЕТЕЛЬСТВО О РОЖДЕНИИ", PAGE_W - 2 * margin_l
    )
    sheet.text(PAGE_W / 2, w.y, "СВИДЕТЕЛЬСТВО О РОЖДЕНИИ", title_font, st.form, anchor="ms")
    w.y += st.gap * rnd.uniform(1.3, 1.6)

    parents_dates = rnd.random() < 0.5
    if layout == "labels_left":
        _labels_left(w, rec, truth, st, rnd, act_number, issued, parents_dates)
    else:
        _caption_below(w, rec, truth, st, rnd, act_number, issued)

    # Signature, seal and the blank's series and number.
    w.y += st.gap * 0.3
    head_label = "Руководитель органа записи актов гражданского состояния"
    label_width = (w.right - w.left) * rnd.uniform(0.38, 0.46)
    lines = wrap(head_label, st.lfont, [label_width])
    sig_top = w.y
    for line in lines:
        sheet.text(w.left, w.y, line, st.lfont, st.form)
        w.y += st.lfont.size * 1.2
    sig_y = sig_top + (len(lines) - 1) * st.lfont.size * 0.6
    sig_x = w.left + label_width + mm(4)
    sig_w = mm(rnd.uniform(22, 32))
    sheet.hline(sig_x, sig_x + sig_w + mm(4), sig_y + 10, st.form, 2)
    official = random_official(rnd)
    sheet.text(w.right, sig_y, official, st.vfont, st.ink, anchor="rs")
    mp_y = w.y + st.lfont.size * 0.6
    sheet.text(w.left + mm(6), mp_y, "М.П.", st.lfont, st.form)
    w.y = mp_y + st.gap * 0.9
    series_font = font(rnd.choice(fams).bold, pt(rnd.uniform(15, 18)))
    red = rnd.choice(SERIES_RED) if rnd.random() < 0.8 else st.ink
    text_w = series_font.getlength(f"{series} № {number}")
    sx = PAGE_W / 2 - text_w / 2 + rnd.randint(-mm(8), mm(8))
    if w.y + series_font.size > PAGE_H - mm(4):
        raise LayoutOverflowError(f"certificate seed {seed} layout {layout} overflows")
    if any(x < 0 or x + bw > PAGE_W for x, _, bw, _ in sheet.boxes.values()):
        raise LayoutOverflowError(f"certificate seed {seed} layout {layout} is too wide")
    sheet.words(
        sx,
        max(w.y, PAGE_H - mm(rnd.uniform(8, 14))),
        [(series, "birth_certificate_series"), ("№", None), (number, "birth_certificate_number")],
        series_font,
        red,
    )
    signature(sheet, sig_x + mm(2), sig_y - st.vfont.size * 0.3, sig_w, st.vfont.size * 1.6, rnd)
    region = rec.place.region_genitive
    ring = rnd.choice(
        (
            f"Отдел записи актов гражданского состояния * {region} *",
            f"Российская Федерация * Отдел ЗАГС {region} *",
            f"Управление ЗАГС {region} * Для документов *",
        )
    )
    seal_r = mm(rnd.uniform(18, 21))
    seal_x = w.left + mm(rnd.uniform(18, 40))
    seal_y = mp_y - rnd.uniform(0.1, 0.5) * seal_r
    # On real certificates the seal often lands over the date of issue (forms.md).
    issue_box = sheet.boxes.get("birth_certificate_issue_date")
    if issue_box is not None and rnd.random() < SEAL_OVER_ISSUE_DATE:
        bx, by, bw, bh = issue_box
        seal_x = bx + bw * rnd.uniform(0.2, 0.9)
        seal_y = by + bh / 2 + seal_r * rnd.uniform(-0.4, 0.5)
    seal(
        sheet,
        seal_x,
        seal_y,
        seal_r,
        ring,
        ("ОРГАН ЗАГС", f"№ {rnd.randint(1, 90)}"),
        value_fam,
        rnd,
        rng,
    )

    image = soften(sheet.image, rng, rnd.uniform(0.35, 0.6))
    return GeneratedDocument(
        image=image,
        dpi=DPI,
        kind="birth_certificate",
        layout=layout,
        truth=truth,
        boxes=dict(sheet.boxes),
        barcode_payload=None,
        seed=seed,
        font_set=font_set,
        # Digits are as tall as capitals: the printed birth date measures the value text.
        text_height=sheet.boxes["birth_date"][3],
    )


def _citizenship(rnd: random.Random, female: bool) -> str:
    who = "гражданка" if female else "гражданин"
    return f"{who} {rnd.choice(('России', 'Российской Федерации'))}"


def _name(p: Person, st: _Style) -> str:
    return case_name(yo(p.full, st.keep_yo), st.upper)


def _parent_birth(rnd: random.Random, child_birth: dt.date, lo: int, hi: int) -> dt.date:
    return child_birth - dt.timedelta(days=rnd.randint(lo * 365, hi * 365))


def _labels_left(
    w: _Writer,
    rec: ChildRecord,
    truth: dict[str, str | None],
    st: _Style,
    rnd: random.Random,
    act_number: str,
    issued: dt.date,
    parents_dates: bool,
) -> None:
    sheet = w.sheet
    label_w = mm(rnd.uniform(36, 44))
    vx = w.left + label_w

    def row(
        label: str,
        parts: Sequence[tuple[str, str | None]],
        fnt: ImageFont.FreeTypeFont | None = None,
    ) -> None:
        sheet.text(w.left, w.y, label, st.lfont, st.form)
        sheet.hline(vx - mm(1), w.right, w.y + 9, st.form, 2)
        dx, dy = w.jitter()
        sheet.words(vx + mm(2) + dx, w.y + dy, parts, fnt or st.vfont, st.ink)
        w.y += st.gap

    def wrapped(
        label_lines: Sequence[str], text: str, key: str | None, fnt: ImageFont.FreeTypeFont
    ) -> None:
        lines = wrap(text, fnt, [w.right - vx - mm(3)])
        for i in range(max(len(lines), len(label_lines))):
            if i < len(label_lines):
                sheet.text(w.left, w.y, label_lines[i], st.lfont, st.form)
            sheet.hline(vx - mm(1), w.right, w.y + 9, st.form, 2)
            if i < len(lines):
                dx, dy = w.jitter()
                sheet.text(vx + mm(2) + dx, w.y + dy, lines[i], fnt, st.ink, key=key)
            w.y += fnt.size * 1.45 if i + 1 < max(len(lines), len(label_lines)) else st.gap

    row("Фамилия", [(case_name(truth["last_name"] or "", st.upper), "last_name")])
    row("Имя", [(case_name(truth["first_name"] or "", st.upper), "first_name")])
    row("Отчество", [(case_name(truth["patronymic"] or "", st.upper), "patronymic")])
    row("Дата рождения", [(dotted(rec.birth_date), "birth_date")])
    words = date_in_words(rec.birth_date)
    if rnd.random() < 0.5:
        words = f"({words})"
    wrapped([], words, None, st.sfont)
    place = (
        rec.place.birth_place.upper() if st.upper and rnd.random() < 0.4 else rec.place.birth_place
    )
    wrapped(["Место рождения"], place, "birth_place", st.vfont)
    w.flow(
        [
            ("о чём" if rnd.random() < 0.3 else "о чем", "label", None),
            (dotted(rec.registered), "value", None),
            ("составлена запись акта о рождении №", "label", None),
            (act_number, "value", "birth_act_record_number"),
        ]
    )
    father = rec.family.father
    row("Отец", [(_name(father, st), None)] if father else [("—" * 3, None)])
    if father:
        row("Гражданство", [(_citizenship(rnd, False), None)], st.sfont)
        if parents_dates:
            row(
                "Дата рождения",
                [(dotted(_parent_birth(rnd, rec.birth_date, 20, 45)), None)],
                st.sfont,
            )
    mother = rec.family.mother
    row("Мать", [(_name(mother, st), None)])
    row("Гражданство", [(_citizenship(rnd, True), None)], st.sfont)
    if parents_dates:
        row("Дата рождения", [(dotted(_parent_birth(rnd, rec.birth_date, 18, 42)), None)], st.sfont)
    wrapped(["Место государственной", "регистрации"], rec.place.registry_office, None, st.sfont)
    issue_text = dotted(issued) if rnd.random() < 0.6 else date_long(issued, rnd.random() < 0.5)
    row("Дата выдачи", [(issue_text, "birth_certificate_issue_date")])


def _caption_below(
    w: _Writer,
    rec: ChildRecord,
    truth: dict[str, str | None],
    st: _Style,
    rnd: random.Random,
    act_number: str,
    issued: dt.date,
) -> None:
    sheet = w.sheet

    def centred(
        parts: Sequence[tuple[str, str | None]],
        caption: str | None,
        fnt: ImageFont.FreeTypeFont | None = None,
        x0: float | None = None,
    ) -> None:
        fnt = fnt or st.vfont
        left = w.left if x0 is None else x0
        mid = (left + w.right) / 2
        text = " ".join(p for p, _ in parts)
        dx, dy = w.jitter()
        sheet.hline(left, w.right, w.y + 10, st.form, 2)
        sheet.words(mid - fnt.getlength(text) / 2 + dx, w.y + dy, parts, fnt, st.ink)
        if caption:
            w.y += st.cfont.size * 1.15
            sheet.text(mid, w.y + 8, caption, st.cfont, st.form, anchor="ms")
            w.y += st.gap * 0.85
        else:
            w.y += st.gap

    def labelled(
        label: str,
        parts: Sequence[tuple[str, str | None]],
        caption: str | None,
        fnt: ImageFont.FreeTypeFont | None = None,
    ) -> None:
        sheet.text(w.left, w.y, label, st.lfont, st.form)
        centred(parts, caption, fnt, w.left + st.lfont.getlength(label) + mm(3))

    centred([(case_name(truth["last_name"] or "", st.upper), "last_name")], "фамилия")
    centred(
        [
            (case_name(truth["first_name"] or "", st.upper), "first_name"),
            (case_name(truth["patronymic"] or "", st.upper), "patronymic"),
        ],
        "имя, отчество",
    )
    verb = "родилась" if rec.family.sex == "Ж" else "родился"
    if rnd.random() < 0.5:
        verb = "родился(лась)"
    labelled(verb, [(dotted(rec.birth_date), "birth_date")], None)
    words = date_in_words(rec.birth_date)
    lines = wrap(words, st.sfont, [w.right - w.left])
    for i, line in enumerate(lines):
        centred(
            [(line, None)],
            "число, месяц, год (цифрами и прописью)" if i == len(lines) - 1 else None,
            st.sfont,
        )
    place = rec.place.birth_place
    label = "место рождения"
    avail = w.right - w.left - st.lfont.getlength(label) - mm(3)
    place_lines = wrap(place, st.vfont, [avail, w.right - w.left])
    for i, line in enumerate(place_lines):
        last_line = i == len(place_lines) - 1
        caption = "город, населенный пункт, район, область, край, республика" if last_line else None
        if i == 0:
            labelled(label, [(line, "birth_place")], caption)
        else:
            centred([(line, "birth_place")], caption)
    reg = rec.registered
    w.flow(
        [
            ("о чём" if rnd.random() < 0.3 else "о чем", "label", None),
            (str(reg.year), "value", None),
            ("года", "label", None),
            (MONTHS_GENITIVE[reg.month - 1], "value", None),
            ("месяца", "label", None),
            (str(reg.day), "value", None),
            ("числа составлена запись акта о рождении №", "label", None),
            (act_number, "value", "birth_act_record_number"),
        ]
    )
    sheet.text(w.left, w.y, "Родители:", st.lfont, st.form)
    w.y += st.gap * 0.9
    father = rec.family.father
    if father:
        labelled("отец", [(_name(father, st), None)], "фамилия, имя, отчество")
        centred([(_citizenship(rnd, False), None)], "гражданство", st.sfont)
    else:
        labelled("отец", [("—" * 3, None)], None)
    labelled("мать", [(_name(rec.family.mother, st), None)], "фамилия, имя, отчество")
    centred([(_citizenship(rnd, True), None)], "гражданство", st.sfont)
    sheet.text(w.left, w.y, "Место государственной регистрации", st.lfont, st.form)
    w.y += st.gap * 0.9
    office_lines = wrap(rec.place.registry_office, st.sfont, [w.right - w.left])
    for i, line in enumerate(office_lines):
        last_line = i == len(office_lines) - 1
        caption = "наименование органа записи актов гражданского состояния" if last_line else None
        centred([(line, None)], caption, st.sfont)
    issue_text = date_long(issued, rnd.random() < 0.7) if rnd.random() < 0.7 else dotted(issued)
    sheet.text(w.left, w.y, "Дата выдачи", st.lfont, st.form)
    dx, dy = w.jitter()
    sheet.text(
        w.left + st.lfont.getlength("Дата выдачи") + mm(5) + dx,
        w.y + dy,
        issue_text,
        st.vfont,
        st.ink,
        key="birth_certificate_issue_date",
    )
    w.y += st.gap
