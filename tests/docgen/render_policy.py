"""OMS policy (полис ОМС) in five forms: unified paper, plastic card, electronic extract, old
regional policy and temporary certificate."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .barcode import encode_payload, fits_type1, pdf417_image, qr_image
from .canvas import (
    FORM_COLORS,
    INK_BLACK,
    RGB,
    SERIES_RED,
    Sheet,
    case_name,
    fit_font,
    frame_border,
    mm,
    paper,
    plain_paper,
    pt,
    seal,
    signature,
    soften,
    wrap,
    yo,
)
from .data import INSURERS, printed_insurer, random_official
from .document import DPI, ChildRecord, GeneratedDocument, child_record
from .fonts import FontFamily, families, font
from .numbers import (
    date_long,
    dotted,
    random_blank_serial,
    random_enp,
    random_ogrn,
    random_old_number,
    random_old_series,
    random_snils,
    random_temporary_number,
)

POLICY_FORMS: tuple[str, ...] = ("unified", "card", "electronic", "old", "temporary")
_FORM_WEIGHTS = (0.36, 0.16, 0.2, 0.13, 0.15)

SEX_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # sex -> (short forms, long forms)
    "М": (("М", "муж.", "муж"), ("мужской", "Мужской", "МУЖСКОЙ")),
    "Ж": (("Ж", "жен.", "жен"), ("женский", "Женский", "ЖЕНСКИЙ")),
}


@dataclass(frozen=True)
class _Policy:
    """What a policy says, before it is drawn."""

    form: str
    number: str
    series: str | None
    last: str
    first: str
    middle: str
    sex: str
    birth: dt.date
    issued: dt.date
    expiry: dt.date | None
    insurer: str
    insurer_printed: str
    ogrn: str


@dataclass
class _Look:
    serif: FontFamily
    sans: FontFamily
    vfam: FontFamily
    lfam: FontFamily
    form: RGB
    ink: RGB
    upper: bool
    vdx: int
    vdy: int
    squeeze: float = 1.0


def insurer_ogrn(insurer: str) -> str:
    """A fixed invented OGRN per insurer name."""
    return random_ogrn(random.Random(f"ogrn:{insurer}"))


def child_enp(seed: int, rec: ChildRecord) -> str:
    """The child's ENP: the same on every unified/card/electronic policy of one seed."""
    return random_enp(random.Random(f"enp:{seed}"), rec.place.enp_prefix)


def generate_policy(
    seed: int, form: str | None = None, font_set: str = "train"
) -> GeneratedDocument:
    """An OMS policy for the child of ``seed`` (the same child as the seed's certificate)."""
    pick = random.Random(f"policy-form:{seed}")
    if form is None:
        form = pick.choices(POLICY_FORMS, weights=_FORM_WEIGHTS)[0]
    if form not in POLICY_FORMS:
        raise ValueError(f"unknown policy form {form!r}; use one of {POLICY_FORMS}")
    # Long names and insurers can push the bottom off the page: tighten the spacing and retry.
    for squeeze in (1.0, 0.93, 0.86, 0.79, 0.72, 0.65):
        doc = _render(seed, form, font_set, squeeze)
        if doc is not None:
            return doc
    raise LayoutOverflowError(f"policy seed {seed} form {form} does not fit the page")


class LayoutOverflowError(RuntimeError):
    """The generated content did not fit on the page (a generator bug)."""


def _render(seed: int, form: str, font_set: str, squeeze: float) -> GeneratedDocument | None:
    rec = child_record(seed)
    rnd = random.Random(f"policy:{seed}:{form}:{font_set}")
    rng = np.random.default_rng(rnd.getrandbits(64))
    # What is printed depends on the seed and form alone (not on the fonts).
    pol = _make_policy(seed, form, rec, random.Random(f"policy-content:{seed}:{form}"))
    serif = families(font_set, serif=True)
    sans = families(font_set, serif=False)
    look = _Look(
        serif=rnd.choice(serif),
        sans=rnd.choice(sans),
        vfam=rnd.choice(serif + sans) if form in ("electronic", "card") else rnd.choice(serif),
        lfam=rnd.choice(sans) if form in ("electronic", "card") else rnd.choice(serif + sans),
        form=rnd.choice(FORM_COLORS),
        ink=rnd.choice(INK_BLACK),
        upper=rnd.random() < (0.85 if form == "card" else 0.6),
        vdx=rnd.randint(-14, 14),
        vdy=rnd.randint(-8, 5),
        squeeze=squeeze,
    )
    payload: bytes | None = None
    radius = 0
    renderer = {
        "unified": _unified,
        "card": _card,
        "electronic": _electronic,
        "old": _old,
        "temporary": _temporary,
    }[form]
    sheet, payload, radius = renderer(pol, rec, look, rnd, rng)
    margin = mm(2)
    for x, y, bw, bh in sheet.boxes.values():
        if x < 0 or y < 0 or x + bw > sheet.width or y + bh > sheet.height - margin:
            return None
    image = soften(sheet.image, rng, rnd.uniform(0.3, 0.55))
    if radius:
        image = _round_corners(image, radius)
    truth: dict[str, str | None] = {
        "policy_form": form,
        "policy_number": pol.number,
        "policy_series": pol.series,
        "last_name": pol.last,
        "first_name": pol.first,
        "patronymic": pol.middle,
        "sex": pol.sex,
        "birth_date": pol.birth.isoformat(),
        "policy_issue_date": pol.issued.isoformat(),
        "policy_expiry_date": None if pol.expiry is None else pol.expiry.isoformat(),
        "insurer": pol.insurer,
    }
    return GeneratedDocument(
        image=image,
        dpi=DPI,
        kind="oms_policy",
        layout=form,
        truth=truth,
        boxes=dict(sheet.boxes),
        barcode_payload=payload,
        seed=seed,
        font_set=font_set,
        # Digits are as tall as capitals: the printed birth date measures the value text.
        text_height=sheet.boxes["birth_date"][3],
        corner_radius=radius,
    )


def _make_policy(seed: int, form: str, rec: ChildRecord, rnd: random.Random) -> _Policy:
    keep_yo = rnd.random() < 0.5
    child = rec.family.child
    age_days = (rec.reference - rec.birth_date).days
    if rnd.random() < 0.6:
        issued = rec.birth_date + dt.timedelta(days=rnd.randint(5, max(5, min(age_days, 120))))
    else:
        issued = rec.birth_date + dt.timedelta(days=rnd.randint(5, max(5, age_days)))
    if form == "electronic" and issued < dt.date(2022, 12, 1):
        # Electronic extracts exist since December 2022: an older child re-registered then.
        lo = max(dt.date(2022, 12, 1), rec.birth_date + dt.timedelta(days=5))
        issued = lo + dt.timedelta(days=rnd.randint(0, max(0, (rec.reference - lo).days)))
    if form == "old" and rec.birth_date < dt.date(2010, 12, 1):
        # Old regional policies were issued until 2011. Younger children get a later date on
        # an old-looking blank: still a fair test of reading the form.
        issued = min(issued, dt.date(2010, 12, 31))
    issued = min(issued, rec.reference)
    insurer = rnd.choice(INSURERS)
    expiry: dt.date | None = None
    series: str | None = None
    if form in ("unified", "card", "electronic"):
        number = child_enp(seed, rec)
        if form == "unified" and rnd.random() < 0.05:
            # A fixed-term policy (foreign residents): still valid on the reference day.
            expiry = max(issued, rec.reference) + dt.timedelta(days=rnd.randint(30, 3 * 365))
    elif form == "old":
        series = random_old_series(rnd, rec.place.enp_prefix)
        number = random_old_number(rnd)
        if rnd.random() < 0.4:
            expiry = max(issued, rec.reference) + dt.timedelta(days=rnd.randint(30, 5 * 365))
    else:
        number = random_temporary_number(rnd)
        expiry = issued + dt.timedelta(days=rnd.choice((30, 42, 45)))
    return _Policy(
        form=form,
        number=number,
        series=series,
        last=yo(child.last_name, keep_yo),
        first=yo(child.first_name, keep_yo),
        middle=yo(child.patronymic, keep_yo),
        sex=rec.family.sex,
        birth=rec.birth_date,
        issued=issued,
        expiry=expiry,
        insurer=insurer,
        insurer_printed=printed_insurer(rnd, insurer, rec.place.region_genitive),
        ogrn=insurer_ogrn(insurer),
    )


def _sex_text(rnd: random.Random, sex: str, long: bool | None = None) -> str:
    short, full = SEX_WORDS[sex]
    if long is None:
        long = rnd.random() < 0.5
    return rnd.choice(full if long else short)


def _date_text(rnd: random.Random, day: dt.date, long_ok: bool = False) -> str:
    if long_ok and rnd.random() < 0.25:
        return date_long(day, rnd.random() < 0.5)
    return dotted(day)


def _enp_text(rnd: random.Random, enp: str, grouped: float) -> str:
    if rnd.random() < grouped:
        return " ".join(enp[i : i + 4] for i in range(0, 16, 4))
    return enp


class _Rows:
    """Label/value rows with the value on an underline or in a grid cell."""

    def __init__(
        self,
        sheet: Sheet,
        look: _Look,
        rnd: random.Random,
        left: float,
        right: float,
        label_w: float,
        lfont: ImageFont.FreeTypeFont,
        vfont: ImageFont.FreeTypeFont,
        gap: float,
        grid: bool,
    ):
        self.sheet, self.look, self.rnd = sheet, look, rnd
        self.left, self.right, self.label_w = left, right, label_w
        self.lfont, self.vfont, self.grid = lfont, vfont, grid
        self.gap = gap * look.squeeze
        self.y = 0.0

    def row(
        self,
        label: str,
        value: str,
        key: str | None,
        fnt: ImageFont.FreeTypeFont | None = None,
    ) -> None:
        fnt = fnt or self.vfont
        vx = self.left + self.label_w
        label_lines = wrap(label, self.lfont, [self.label_w - mm(3)])
        value_lines = wrap(value, fnt, [self.right - vx - mm(4)])
        n = max(len(label_lines), len(value_lines))
        line_h = max(fnt.size, self.lfont.size) * (1.3 if self.look.squeeze > 0.9 else 1.15)
        top = self.y - self.gap * 0.72
        for i in range(n):
            y = self.y + i * line_h
            if i < len(label_lines):
                self.sheet.text(
                    self.left + (mm(2) if self.grid else 0),
                    y,
                    label_lines[i],
                    self.lfont,
                    self.look.form,
                )
            if i < len(value_lines):
                dx = self.look.vdx // 2 + self.rnd.randint(-2, 2)
                dy = self.look.vdy // 2 + self.rnd.randint(-2, 2)
                self.sheet.text(
                    vx + mm(2) + dx, y + dy, value_lines[i], fnt, self.look.ink, key=key
                )
            if not self.grid:
                self.sheet.hline(vx, self.right, y + 9, self.look.form, 2)
        bottom = self.y + (n - 1) * line_h + self.gap * 0.35
        if self.grid:
            c = self.look.form
            self.sheet.rect((self.left, top, self.right, bottom), c, 2)
            self.sheet.draw.line([(vx, top), (vx, bottom)], fill=c, width=2)
        self.y = bottom + self.gap * 0.72 if self.grid else self.y + (n - 1) * line_h + self.gap


# --- unified paper policy --------------------------------------------------------------------


def _unified(
    pol: _Policy, rec: ChildRecord, look: _Look, rnd: random.Random, rng: np.random.Generator
) -> tuple[Sheet, bytes | None, int]:
    w, h = mm(148), mm(210)
    tint = rnd.choice(((215, 200, 225), (200, 215, 230), (225, 205, 205), (205, 225, 210)))
    sheet = Sheet(paper(w, h, rng, (250, 249, 246), tint, rnd.uniform(0.25, 0.4)))
    left, right = mm(rnd.uniform(10, 15)), w - mm(rnd.uniform(10, 14))
    y: float = mm(rnd.uniform(10, 15))
    hfont = font(look.lfam.bold, pt(rnd.uniform(20, 24)))
    sheet.text((left + right) / 2, y + hfont.size, "ПОЛИС", hfont, look.form, anchor="ms")
    y += hfont.size + pt(14)
    sub = rnd.choice(
        ("обязательного медицинского страхования", "ОБЯЗАТЕЛЬНОГО МЕДИЦИНСКОГО СТРАХОВАНИЯ")
    )
    sfont = fit_font(look.lfam.bold, pt(rnd.uniform(11, 13)), sub, right - left)
    sheet.text((left + right) / 2, y, sub, sfont, look.form, anchor="ms")
    y += pt(22)

    # ENP with the barcode beside it.
    layout_type = 1 if rnd.random() < 0.3 and fits_type1(pol.last, pol.first, pol.middle) else 2
    okato = rec.place.okato
    payload = encode_payload(
        layout_type=layout_type,
        enp=pol.number,
        last_name=pol.last,
        first_name=pol.first,
        patronymic=pol.middle,
        sex=pol.sex,
        birth_date=pol.birth,
        expiry=pol.expiry,
        ogrn=pol.ogrn,
        okato=okato,
        rnd=rnd,
    )
    module = rnd.choice((3, 3, 4))
    code = pdf417_image(payload, module, 3)
    bh, bw = code.shape
    bx = right - bw + rnd.randint(-mm(2), 0)
    by = int(y + rnd.randint(0, mm(3)))
    patch = Image.fromarray(code, "L").convert("RGB")
    sheet.image.paste(patch, (bx, by))
    enp_font = font(
        look.vfam.bold if rnd.random() < 0.5 else look.vfam.regular, pt(rnd.uniform(13, 15))
    )
    enp_text = _enp_text(rnd, pol.number, 0.4)
    label = rnd.choice(("№", "Номер полиса", "ЕНП"))
    lfont = font(look.lfam.regular, pt(rnd.uniform(9.5, 11)))
    ey = by + bh / 2 + enp_font.size * 0.35
    sheet.text(left, ey, label, lfont, look.form)
    ex = left + lfont.getlength(label) + mm(3)
    if ex + enp_font.getlength(enp_text) > bx - mm(3):
        ey = by + bh + enp_font.size * 1.6
    sheet.text(
        ex + look.vdx // 2, ey + look.vdy // 2, enp_text, enp_font, look.ink, key="policy_number"
    )
    y = max(by + bh, ey) + pt(30)

    vfont = font(look.vfam.regular, pt(rnd.uniform(11.5, 13)))
    rows = _Rows(
        sheet,
        look,
        rnd,
        left,
        right,
        mm(rnd.uniform(36, 44)),
        lfont,
        vfont,
        vfont.size * rnd.uniform(1.6, 1.85),
        rnd.random() < 0.4,
    )
    rows.y = y
    rows.row("Фамилия", case_name(pol.last, look.upper), "last_name")
    rows.row("Имя", case_name(pol.first, look.upper), "first_name")
    rows.row("Отчество", case_name(pol.middle, look.upper), "patronymic")
    rows.row("Пол", _sex_text(rnd, pol.sex), "sex")
    rows.row("Дата рождения", dotted(pol.birth), "birth_date")
    expiry_text = "бессрочно" if pol.expiry is None else dotted(pol.expiry)
    rows.row(
        rnd.choice(("Срок действия", "Действителен до", "Срок действия полиса")),
        expiry_text,
        "policy_expiry_date",
    )
    rows.row("Дата выдачи", dotted(pol.issued), "policy_issue_date")
    y = rows.y + pt(8)
    small = font(look.lfam.regular, pt(8))
    sheet.text(left, y, "Подпись лица, получившего полис", small, look.form)
    sheet.hline(
        left + small.getlength("Подпись лица, получившего полис") + mm(3),
        left + mm(95),
        y + 6,
        look.form,
        2,
    )
    signature(sheet, left + mm(62), y - mm(2), mm(25), mm(9), rnd)
    y += pt(30)
    sheet.hline(left, right, y, look.form, 3)
    y += pt(26)

    # Insurer block (the back side of the blank).
    bfont = font(look.lfam.bold, pt(10))
    sheet.text(left, y, "Страховая медицинская организация", bfont, look.form)
    y += pt(20)
    cell_font = font(look.vfam.regular, pt(rnd.uniform(9.5, 10.5)))
    date_w = cell_font.getlength("00.00.0000") + mm(4)
    ogrn_w = cell_font.getlength(pol.ogrn) + mm(4)
    cols = [left, right - date_w - ogrn_w, right - date_w, right]
    heads = ("Наименование", "ОГРН", "Дата")
    tfont = font(look.lfam.regular, pt(8))
    top = y
    for i, head in enumerate(heads):
        sheet.text(cols[i] + mm(1.5), y + tfont.size, head, tfont, look.form)
    y += tfont.size * 1.8
    sheet.hline(cols[0], cols[-1], y, look.form, 2)
    ins_lines = wrap(pol.insurer_printed, cell_font, [cols[1] - cols[0] - mm(3)])
    ly = y + cell_font.size * 1.2
    for line in ins_lines:
        sheet.text(cols[0] + mm(1.5), ly, line, cell_font, look.ink, key="insurer")
        ly += cell_font.size * 1.25
    sheet.text(cols[1] + mm(1.5), y + cell_font.size * 1.2, pol.ogrn, cell_font, look.ink)
    sheet.text(cols[2] + mm(1.5), y + cell_font.size * 1.2, dotted(pol.issued), cell_font, look.ink)
    bottom = ly + pt(6)
    sheet.rect((cols[0], top, cols[-1], bottom), look.form, 2)
    for cx in cols[1:-1]:
        sheet.draw.line([(cx, top), (cx, bottom)], fill=look.form, width=2)
    seal(
        sheet,
        right - mm(rnd.uniform(22, 32)),
        bottom + mm(rnd.uniform(6, 14)),
        mm(rnd.uniform(16, 19)),
        f"{pol.insurer} * Для полисов *",
        ("СМО",),
        look.serif,
        rnd,
        rng,
    )
    signature(sheet, left + mm(30), bottom + mm(14), mm(28), mm(10), rnd)
    sheet.text(left, bottom + mm(15), "Представитель СМО", small, look.form)
    blank = random_blank_serial(rnd)
    bl_font = font(look.lfam.regular, pt(rnd.uniform(9, 11)))
    color = rnd.choice(SERIES_RED) if rnd.random() < 0.5 else look.form
    sheet.text(
        right,
        h - mm(rnd.uniform(7, 11)),
        f"{rnd.choice(('бланк', 'Бланк', '№ бланка'))} № {blank}".replace("№ бланка №", "№ бланка"),
        bl_font,
        color,
        anchor="rs",
    )
    return sheet, payload, 0


# --- plastic card ----------------------------------------------------------------------------


def _card(
    pol: _Policy, rec: ChildRecord, look: _Look, rnd: random.Random, rng: np.random.Generator
) -> tuple[Sheet, bytes | None, int]:
    w, h = mm(85.6), mm(54)
    top_c = np.array(rnd.choice(((205, 225, 245), (225, 240, 250), (235, 235, 245))), np.float32)
    bottom_c = np.array((252, 252, 252), np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    grad = top_c * (1 - t) + bottom_c * t
    arr = np.broadcast_to(grad, (h, w, 3)).copy()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    wave = np.clip(
        (np.cos((yy - 40 * np.sin(xx / rnd.uniform(120, 200))) / 9.0) - 0.85) / 0.15, 0, 1
    )
    arr -= wave[..., None] * 14
    arr += rng.normal(0, 1.5, (h, w, 1)).astype(np.float32)
    sheet = Sheet(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB"))
    accent = rnd.choice(((20, 60, 140), (10, 90, 150), (130, 20, 40)))
    band_h = mm(rnd.uniform(9, 11))
    sheet.draw.rectangle((0, 0, w, band_h), fill=accent)
    head_font = fit_font(
        look.sans.bold, pt(7.5), "ПОЛИС ОБЯЗАТЕЛЬНОГО МЕДИЦИНСКОГО СТРАХОВАНИЯ", w - mm(8)
    )
    sheet.text(
        w / 2,
        band_h * 0.62,
        "ПОЛИС ОБЯЗАТЕЛЬНОГО МЕДИЦИНСКОГО СТРАХОВАНИЯ",
        head_font,
        (255, 255, 255),
        anchor="ms",
    )
    left = mm(rnd.uniform(4.5, 6))
    # Chip.
    cy = band_h + mm(3)
    chip = (left, cy, left + mm(10), cy + mm(8))
    sheet.draw.rounded_rectangle(
        chip, radius=10, fill=(205, 175, 95), outline=(150, 120, 50), width=2
    )
    for i in range(1, 3):
        yl = chip[1] + i * mm(8) / 3
        sheet.draw.line([(chip[0], yl), (chip[2], yl)], fill=(150, 120, 50), width=2)
    sheet.draw.line(
        [((chip[0] + chip[2]) / 2, chip[1]), ((chip[0] + chip[2]) / 2, chip[3])],
        fill=(150, 120, 50),
        width=2,
    )
    ins_w = w - left - mm(17)
    ins_size = pt(rnd.uniform(6, 7))
    ins_font = font(look.sans.bold, ins_size)
    ins_lines = wrap(pol.insurer_printed, ins_font, [ins_w])
    while len(ins_lines) > 2 or any(ins_font.getlength(x) > ins_w for x in ins_lines):
        ins_size -= 2
        ins_font = font(look.sans.bold, ins_size)
        ins_lines = wrap(pol.insurer_printed, ins_font, [ins_w])
    iy = cy + mm(4.5) - (len(ins_lines) - 1) * ins_font.size * 0.6
    for line in ins_lines:
        sheet.text(left + mm(13), iy, line, ins_font, accent, key="insurer")
        iy += ins_font.size * 1.2
    enp_text = _enp_text(rnd, pol.number, 0.9)
    enp_font = fit_font(look.vfam.bold, pt(rnd.uniform(12, 13.5)), enp_text, w - 2 * left)
    y = chip[3] + enp_font.size * 1.25
    sheet.text(left, y, enp_text, enp_font, look.ink, key="policy_number")
    nfont = font(look.vfam.regular, pt(rnd.uniform(8.5, 9.5)))
    lf = font(look.sans.regular, pt(5.5))
    y += nfont.size * 1.45
    last = case_name(pol.last, look.upper)
    sheet.text(left, y, last, nfont, look.ink, key="last_name")
    y += nfont.size * 1.2
    sheet.words(
        left,
        y,
        [
            (case_name(pol.first, look.upper), "first_name"),
            (case_name(pol.middle, look.upper), "patronymic"),
        ],
        nfont,
        look.ink,
    )
    y += nfont.size * 0.55 + lf.size * 1.2
    label_y = y
    y += nfont.size * 1.15
    columns = [
        (left, "Дата рождения", dotted(pol.birth), "birth_date"),
        (left + mm(27), "Пол", _sex_text(rnd, pol.sex, long=False), "sex"),
        (left + mm(40), "Дата выдачи", dotted(pol.issued), "policy_issue_date"),
    ]
    for x, label, value, key in columns:
        sheet.text(x, label_y, label, lf, look.form)
        sheet.text(x, y, value, nfont, look.ink, key=key)
    return sheet, None, mm(3.2)


def _round_corners(image: np.ndarray, radius: int) -> np.ndarray:
    """Paint the area outside a card's rounded corners white (the scanner lid)."""
    h, w = image.shape[:2]
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=255)
    m = np.asarray(mask) > 0
    out = image.copy()
    out[~m] = 255
    return out


# --- electronic extract ----------------------------------------------------------------------


def _electronic(
    pol: _Policy, rec: ChildRecord, look: _Look, rnd: random.Random, rng: np.random.Generator
) -> tuple[Sheet, bytes | None, int]:
    w, h = mm(210), mm(297)
    sheet = Sheet(plain_paper(w, h, rng))
    left, right = mm(rnd.uniform(18, 25)), w - mm(rnd.uniform(12, 18))
    y: float = mm(rnd.uniform(14, 20))
    hf = font(look.lfam.bold, pt(rnd.uniform(10, 11.5)))
    for line in ("ФЕДЕРАЛЬНЫЙ ФОНД", "ОБЯЗАТЕЛЬНОГО МЕДИЦИНСКОГО СТРАХОВАНИЯ"):
        sheet.text((left + right) / 2, y, line, hf, look.form, anchor="ms")
        y += hf.size * 1.3
    y += pt(18)
    tf = font(look.lfam.bold, pt(rnd.uniform(15, 18)))
    sheet.text((left + right) / 2, y, "ВЫПИСКА", tf, look.form, anchor="ms")
    y += tf.size * 1.1
    sf = font(look.lfam.regular, pt(rnd.uniform(11.5, 13)))
    sheet.text(
        (left + right) / 2, y, "из единого регистра застрахованных лиц", sf, look.form, anchor="ms"
    )
    y += sf.size * 1.5
    formed = pol.issued + dt.timedelta(
        days=rnd.randint(0, max(0, min(60, (rec.reference - pol.issued).days)))
    )
    sheet.text(
        (left + right) / 2, y, f"по состоянию на {dotted(formed)}", sf, look.form, anchor="ms"
    )
    y += pt(30)
    qr_module = rnd.choice((8, 9, 10))
    content = "".join(
        rnd.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(rnd.randint(60, 110))
    )
    qr = qr_image(content, qr_module)
    qr_at_top = rnd.random() < 0.5
    lfont = font(look.lfam.regular, pt(rnd.uniform(10.5, 11.5)))
    vfont = font(
        look.vfam.bold if rnd.random() < 0.4 else look.vfam.regular, pt(rnd.uniform(11.5, 12.5))
    )
    table_right = right - (qr.shape[1] + mm(6) if qr_at_top else 0)
    if qr_at_top:
        sheet.image.paste(
            Image.fromarray(qr, "L").convert("RGB"), (int(right - qr.shape[1]), int(y - mm(4)))
        )
    rows = _Rows(
        sheet,
        look,
        rnd,
        left,
        table_right,
        (table_right - left) * rnd.uniform(0.4, 0.48),
        lfont,
        vfont,
        vfont.size * 1.55,
        True,
    )
    rows.y = y + vfont.size
    rows.row(
        rnd.choice(("Единый номер полиса ОМС", "Номер полиса ОМС", "Номер полиса")),
        _enp_text(rnd, pol.number, 0.15),
        "policy_number",
    )
    rows.row("Фамилия", case_name(pol.last, look.upper), "last_name")
    rows.row("Имя", case_name(pol.first, look.upper), "first_name")
    rows.row("Отчество", case_name(pol.middle, look.upper), "patronymic")
    rows.row("Пол", _sex_text(rnd, pol.sex, long=True), "sex")
    rows.row("Дата рождения", dotted(pol.birth), "birth_date")
    if rnd.random() < 0.6:
        rows.row("Место рождения", rec.place.birth_place, None)
    if rnd.random() < 0.5:
        rows.row("СНИЛС", random_snils(rnd), None)
    rows.row("Форма полиса", rnd.choice(("электронная", "полис в электронной форме")), None)
    rows.row(
        rnd.choice(("Дата выдачи полиса", "Дата выдачи")), dotted(pol.issued), "policy_issue_date"
    )
    rows.row(
        "Срок действия",
        "бессрочно" if pol.expiry is None else dotted(pol.expiry),
        "policy_expiry_date",
    )
    rows.row("Страховая медицинская организация", pol.insurer_printed, "insurer")
    rows.row("Субъект Российской Федерации", rec.place.region_name, None)
    y = rows.y + pt(20)
    if not qr_at_top:
        sheet.image.paste(
            Image.fromarray(qr, "L").convert("RGB"), (int(right - qr.shape[1]), int(y))
        )
    small = font(look.lfam.regular, pt(9))
    foot = (
        "Выписка сформирована в электронном виде на основании сведений единого регистра "
        "застрахованных лиц и не требует подписи и печати."
    )
    for line in wrap(foot, small, [right - left - (0 if qr_at_top else qr.shape[1] + mm(6))]):
        y += small.size * 1.35
        sheet.text(left, y, line, small, look.form)
    y += small.size * 1.6
    sheet.text(left, y, f"Дата формирования: {dotted(formed)}", small, look.form)
    return sheet, None, 0


# --- old regional policy ---------------------------------------------------------------------


def _old(
    pol: _Policy, rec: ChildRecord, look: _Look, rnd: random.Random, rng: np.random.Generator
) -> tuple[Sheet, bytes | None, int]:
    w, h = mm(rnd.uniform(150, 160)), mm(rnd.uniform(100, 108))
    tint = rnd.choice(((220, 210, 180), (200, 220, 200), (210, 205, 230)))
    sheet = Sheet(paper(w, h, rng, (247, 245, 236), tint, rnd.uniform(0.3, 0.45)))
    frame_border(sheet, rnd, look.form, mm(3))
    left, right = mm(8), w - mm(8)
    y: float = mm(9)
    small = font(look.lfam.regular, pt(8))
    sheet.text(
        (left + right) / 2,
        y + small.size,
        f"Территориальный фонд ОМС {rec.place.region_genitive}",
        small,
        look.form,
        anchor="ms",
    )
    y += small.size + pt(22)
    hf = font(look.lfam.bold, pt(rnd.uniform(12, 14)))
    sheet.text((left + right) / 2, y, "ПОЛИС", hf, look.form, anchor="ms")
    y += hf.size * 1.05
    sf = font(look.lfam.bold, pt(rnd.uniform(9.5, 10.5)))
    sheet.text(
        (left + right) / 2,
        y,
        "обязательного медицинского страхования граждан",
        sf,
        look.form,
        anchor="ms",
    )
    y += sf.size * 1.9
    lfont = font(look.lfam.regular, pt(rnd.uniform(9.5, 10.5)))
    vfont = font(look.vfam.regular, pt(rnd.uniform(10.5, 12)))
    red = rnd.choice(SERIES_RED) if rnd.random() < 0.5 else look.ink
    nfont = font(look.vfam.bold, pt(rnd.uniform(11, 12.5)))
    x = (left + right) / 2 - mm(35)
    sheet.text(x, y, "Серия", lfont, look.form)
    x += lfont.getlength("Серия") + mm(2)
    b = sheet.text(x, y, pol.series or "", nfont, red, key="policy_series")
    x += b[2] + mm(5)
    sheet.text(x, y, "№", lfont, look.form)
    x += lfont.getlength("№") + mm(2)
    sheet.text(x, y, pol.number, nfont, red, key="policy_number")
    y += nfont.size * 1.9
    rows = _Rows(
        sheet,
        look,
        rnd,
        left,
        right,
        mm(rnd.uniform(34, 40)),
        lfont,
        vfont,
        vfont.size * 1.5,
        False,
    )
    rows.y = y
    if rnd.random() < 0.5:
        rows.row("Фамилия", case_name(pol.last, look.upper), "last_name")
        rows.row("Имя", case_name(pol.first, look.upper), "first_name")
        rows.row("Отчество", case_name(pol.middle, look.upper), "patronymic")
    else:
        vx = left + rows.label_w
        sheet.text(left, rows.y, "Ф.И.О.", lfont, look.form)
        sheet.hline(vx, right, rows.y + 9, look.form, 2)
        sheet.words(
            vx + mm(2),
            rows.y,
            [
                (case_name(pol.last, look.upper), "last_name"),
                (case_name(pol.first, look.upper), "first_name"),
                (case_name(pol.middle, look.upper), "patronymic"),
            ],
            vfont,
            look.ink,
        )
        rows.y += rows.gap
    rows.row("Дата рождения", _date_text(rnd, pol.birth), "birth_date")
    rows.row("Пол", _sex_text(rnd, pol.sex), "sex")
    rows.row(
        "Страховая медицинская организация",
        pol.insurer_printed,
        "insurer",
        font(look.vfam.regular, pt(10)),
    )
    rows.row("Дата выдачи", _date_text(rnd, pol.issued, True), "policy_issue_date")
    rows.row(
        "Действителен до",
        "бессрочно" if pol.expiry is None else dotted(pol.expiry),
        "policy_expiry_date",
    )
    seal(
        sheet,
        right - mm(rnd.uniform(18, 28)),
        rows.y - mm(rnd.uniform(8, 18)),
        mm(rnd.uniform(13, 15)),
        f"{pol.insurer} * ОМС *",
        ("ДЛЯ", "ПОЛИСОВ"),
        look.serif,
        rnd,
        rng,
    )
    return sheet, None, 0


# --- temporary certificate -------------------------------------------------------------------


def _temporary(
    pol: _Policy, rec: ChildRecord, look: _Look, rnd: random.Random, rng: np.random.Generator
) -> tuple[Sheet, bytes | None, int]:
    w, h = mm(148), mm(210)
    sheet = Sheet(
        plain_paper(
            w, h, rng, (rnd.randint(246, 252), rnd.randint(246, 251), rnd.randint(240, 248))
        )
    )
    left, right = mm(rnd.uniform(12, 16)), w - mm(rnd.uniform(10, 14))
    y: float = mm(rnd.uniform(10, 14))
    small = font(look.lfam.regular, pt(8.5))
    issuer_lines = wrap(pol.insurer_printed, small, [mm(70)])
    for line in issuer_lines:
        sheet.text(left, y + small.size, line, small, look.form, key="insurer")
        y += small.size * 1.3
    y += pt(26)
    tf = font(look.lfam.bold, pt(rnd.uniform(13, 15)))
    sheet.text((left + right) / 2, y, "ВРЕМЕННОЕ СВИДЕТЕЛЬСТВО,", tf, look.form, anchor="ms")
    y += tf.size * 1.2
    sf = font(look.lfam.regular, pt(rnd.uniform(10, 11)))
    for line in wrap(
        "подтверждающее оформление полиса обязательного медицинского страхования",
        sf,
        [right - left - mm(10)],
    ):
        sheet.text((left + right) / 2, y, line, sf, look.form, anchor="ms")
        y += sf.size * 1.25
    y += pt(14)
    nfont = font(look.vfam.bold, pt(rnd.uniform(13, 15)))
    num_text = f"{pol.number[:3]} {pol.number[3:]}" if rnd.random() < 0.4 else pol.number
    lab = font(look.lfam.regular, pt(12))
    x = (left + right) / 2 - (lab.getlength("№ ") + nfont.getlength(num_text)) / 2
    sheet.text(x, y, "№", lab, look.form)
    sheet.text(x + lab.getlength("№ ") + mm(1), y, num_text, nfont, look.ink, key="policy_number")
    y += nfont.size * 2.0
    lfont = font(look.lfam.regular, pt(rnd.uniform(10, 11)))
    vfont = font(look.vfam.regular, pt(rnd.uniform(11.5, 12.5)))
    rows = _Rows(
        sheet,
        look,
        rnd,
        left,
        right,
        mm(rnd.uniform(38, 46)),
        lfont,
        vfont,
        vfont.size * rnd.uniform(1.6, 1.8),
        rnd.random() < 0.35,
    )
    rows.y = y
    rows.row("Фамилия", case_name(pol.last, look.upper), "last_name")
    rows.row("Имя", case_name(pol.first, look.upper), "first_name")
    rows.row("Отчество", case_name(pol.middle, look.upper), "patronymic")
    rows.row("Пол", _sex_text(rnd, pol.sex), "sex")
    rows.row("Дата рождения", dotted(pol.birth), "birth_date")
    rows.row("Место рождения", rec.place.birth_place, None)
    rows.row(
        "Форма изготовления полиса",
        rnd.choice(("бумажный носитель", "электронная форма", "пластиковая карта")),
        None,
    )
    rows.row("Дата выдачи", dotted(pol.issued), "policy_issue_date")
    expiry = pol.expiry
    assert expiry is not None
    rows.row(
        rnd.choice(("Действительно до", "Срок действия до")),
        _date_text(rnd, expiry, True),
        "policy_expiry_date",
    )
    y = rows.y + pt(20)
    sheet.text(left, y, "Представитель страховой медицинской организации", lfont, look.form)
    y += lfont.size * 1.9
    sheet.hline(left, left + mm(40), y + 8, look.form, 2)
    signature(sheet, left + mm(4), y - mm(2), mm(30), mm(10), rnd)
    sheet.text(left + mm(48), y, random_official(rnd), vfont, look.ink)
    sheet.text(left + mm(4), y + lfont.size * 1.6, "М.П.", lfont, look.form)
    seal(
        sheet,
        left + mm(rnd.uniform(25, 45)),
        y + mm(rnd.uniform(0, 12)),
        mm(rnd.uniform(16, 19)),
        f"{pol.insurer} * Для документов *",
        ("СМО",),
        look.serif,
        rnd,
        rng,
    )
    return sheet, None, 0
