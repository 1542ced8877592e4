"""Recognising site noise: blocks of a scraped page that are not the article.

Pages copied or scraped from news sites carry text no translator translated
(image file names, photo credits, the source line, comment boxes, related
headlines, menu words). Aligning it produces junk translation units, so each
block gets a verdict: ``None`` (content) or a short, human reason.

Two kinds of rules, both general rather than tuned to one site:

* **Line rules** look at a block alone: a file name, a bare URL, ``Ảnh: ...`` /
  ``Foto: ...``, ``Nguồn: ...`` / ``Sumber: ...``, a short ``Theo TTXVN`` line,
  a short line that starts or ends with a date, or holds a date and a clock
  time (a byline: ``Hoàng Long - 12/3/2025 08:15``), ``Komentar (0)``, comment
  prompts, related-article headers, share/print/login words, tag lines.
  :func:`trailing_credit` finds a credit at the end of a caption, which the
  reader splits off.
* **Position rules** need the document. *Prose* is a block of at least 12 words
  ending a sentence (or 25 words). Before the first prose block (the *head*),
  short menu-like lines above the title are boilerplate; the title (the first
  line of 4+ words no line rule caught) is never noise. After the last
  prose block, short menu-like lines that run to the very end are boilerplate. A comment or
  related-articles marker (or the source line) with at least a third (half for
  the source line) of the prose before it opens the *tail*: after a comment
  marker everything is the comment box; after a related marker everything is
  the related list, until two prose blocks in a row show the article goes on;
  after a source line, everything that is not prose. A source line without a
  link that the article goes on after (prose within the next three blocks, no
  comment or related marker between) is body text, e.g. the data source of a
  figure (``Nguồn: Sở Giao thông vận tải Hà Nội``): content. A block right after an
  image file name (or an HTML ``figcaption``) is a caption: real text, kept.

Marker phrases are in :data:`MARKERS` (vi, id, ms, en, de, fr). They apply
whatever the declared language, since a translated page keeps its site's
boilerplate in the site's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from align.common.text import lazy_compile

#: Reason strings (what a user sees in reports next to a set-aside block).
IMAGE = "image file name"
CREDIT = "photo credit"
SOURCE = "source line"
BYLINE = "byline/date line"
BOILERPLATE = "site boilerplate"
COMMENTS = "comment box"
RELATED = "related-article list"
LINKS = "links (menu or headlines)"

_FILE_EXT = (
    "jpe?g|png|gif|webp|bmp|tiff?|svg|heic|heif|avif|jfif|ico|pdf|docx?|xlsx?|pptx?|odt|rtf|"
    "mp4|mp3|mov|avi|wav|webm|zip|rar"
)

#: Marker phrases by rule and language. Matching is case-insensitive, on a
#: block with its surrounding punctuation trimmed.
MARKERS: dict[str, dict[str, tuple[str, ...]]] = {
    # A whole block that is only this (optionally with a count): the comment box.
    "comment_header": {
        "vi": ("bình luận", "ý kiến", "ý kiến bạn đọc", "bạn đọc bình luận"),
        "id": ("komentar", "tanggapan", "komentar anda"),
        "ms": ("komen", "ulasan"),
        "en": ("comment", "comments", "reader comments", "join the conversation"),
        "de": ("kommentar", "kommentare", "leserkommentare"),
        "fr": ("commentaire", "commentaires", "réactions", "vos réactions"),
    },
    # Phrases found inside short comment prompts.
    "comment_prompt": {
        "vi": ("để lại bình luận", "viết bình luận", "gửi bình luận", "gửi ý kiến", "bình luận của bạn", "ý kiến của bạn"),
        "id": ("tinggalkan komentar", "tulis komentar", "kirim komentar", "komentar anda", "berikan komentar"),
        "ms": ("tinggalkan komen", "tulis komen"),
        "en": ("leave a comment", "leave a reply", "post a comment", "add a comment", "write a comment", "your comment",
               "be the first to comment", "comments are closed"),
        "de": ("kommentar schreiben", "schreiben sie einen kommentar", "ihr kommentar", "jetzt kommentieren"),
        "fr": ("laisser un commentaire", "écrire un commentaire", "votre commentaire", "réagir à cet article"),
    },
    # Headers of related-article boxes; they open the tail.
    "related_header": {
        "vi": ("cùng chủ đề", "cùng chuyên mục", "cùng tác giả", "tin liên quan", "bài viết liên quan", "bài liên quan",
               "tin cùng chuyên mục", "tin khác", "tin mới", "tin mới nhất", "đọc nhiều", "đọc nhiều nhất",
               "xem nhiều nhất", "có thể bạn quan tâm", "bạn có thể quan tâm", "tin nổi bật", "tin tức liên quan"),
        "id": ("dalam topik yang sama", "dalam kategori yang sama", "dari penulis yang sama", "berita terkait",
               "artikel terkait", "berita lainnya", "artikel lainnya", "berita terkini", "berita terpopuler",
               "terpopuler", "paling banyak dibaca", "topik terkait", "rekomendasi untuk anda"),
        "ms": ("berita berkaitan", "artikel berkaitan", "dalam topik yang sama", "paling popular"),
        "en": ("related", "related articles", "related stories", "related posts", "related news", "related content",
               "more stories", "more news", "more from this author", "from the same author", "in the same category",
               "on the same topic", "same topic", "same category", "you may also like", "you might also like",
               "recommended for you", "most read", "most popular", "latest news", "trending now"),
        "de": ("ähnliche artikel", "verwandte artikel", "weitere artikel", "mehr zum thema", "meistgelesen",
               "das könnte sie auch interessieren", "neueste artikel", "auch interessant"),
        "fr": ("articles similaires", "articles liés", "sur le même sujet", "dans la même rubrique", "du même auteur",
               "les plus lus", "dernières actualités", "vous aimerez aussi", "à découvrir aussi"),
    },
    # "Read also" links inside the article: the line (and a bare headline after it) only.
    "read_also": {
        "vi": ("xem thêm", "đọc thêm", "xem tiếp", "mời xem thêm"),
        "id": ("baca juga", "lihat juga", "simak juga", "baca selengkapnya"),
        "ms": ("baca juga", "baca lagi"),
        "en": ("read more", "read also", "also read", "see also", "read next", "read the full story"),
        "de": ("lesen sie auch", "mehr dazu", "lesen sie mehr", "weiterlesen"),
        "fr": ("lire aussi", "à lire aussi", "voir aussi", "lire la suite"),
    },
    # A label and a colon, then a credit: the whole (short) block is a photo credit.
    "credit_label": {
        "vi": ("ảnh", "nguồn ảnh", "ảnh minh họa", "ảnh minh hoạ", "đồ họa", "đồ hoạ", "video", "clip"),
        "id": ("foto", "sumber foto", "gambar", "ilustrasi", "grafis", "infografis", "video"),
        "ms": ("foto", "gambar", "sumber gambar"),
        "en": ("photo", "photos", "photograph", "picture", "image", "images", "illustration", "graphic", "video",
               "photo credit"),
        "de": ("foto", "fotos", "bild", "bilder", "grafik", "illustration", "video"),
        "fr": ("photo", "photos", "image", "crédit photo", "crédits photo", "illustration", "vidéo"),
    },
    # Whole blocks that are only an illustration note.
    "credit_alone": {
        "vi": ("ảnh minh họa", "ảnh minh hoạ", "ảnh tư liệu"),
        "id": ("foto ilustrasi", "ilustrasi", "foto dokumentasi"),
        "ms": ("gambar hiasan",),
        "en": ("illustrative image", "illustration", "file photo", "stock photo"),
        "de": ("symbolbild", "archivbild"),
        "fr": ("image d'illustration", "photo d'illustration", "illustration"),
    },
    # A label and a colon: where the article comes from.
    "source_label": {
        "vi": ("nguồn", "nguồn tin", "nguồn bài viết"),
        "id": ("sumber", "sumber berita"),
        "ms": ("sumber",),
        "en": ("source", "sources", "original article"),
        "de": ("quelle", "quellen"),
        "fr": ("source", "sources"),
    },
    # "According to X" as a short line of its own (an attribution, not a sentence).
    "attribution": {
        "vi": ("theo",),
        "id": ("menurut",),
        "ms": ("menurut",),
        "en": ("according to", "via"),
        "de": ("laut",),
        "fr": ("selon", "d'après", "d’après"),
    },
    # Tag lines: a label and a colon.
    "tags_label": {
        "vi": ("từ khóa", "từ khoá", "thẻ", "tags", "tag"),
        "id": ("kata kunci", "tag", "tags", "topik"),
        "ms": ("kata kunci", "tag"),
        "en": ("tags", "tag", "topics", "keywords", "filed under"),
        "de": ("schlagwörter", "stichwörter", "themen", "tags"),
        "fr": ("mots-clés", "mots clés", "étiquettes", "tags"),
    },
    # Whole blocks that are site furniture.
    "furniture": {
        "vi": ("chia sẻ", "in bài", "in bài viết", "sao chép liên kết", "lên đầu trang", "về đầu trang", "trang chủ",
               "tìm kiếm", "đăng nhập", "đăng ký", "quảng cáo", "theo dõi chúng tôi", "tải ứng dụng", "gửi bài",
               "lưu bài", "bản in"),
        "id": ("bagikan", "cetak", "salin tautan", "salin link", "kembali ke atas", "beranda", "cari", "masuk",
               "daftar", "iklan", "ikuti kami", "unduh aplikasi", "berlangganan", "tutup"),
        "ms": ("kongsi", "cetak", "utama", "carian", "iklan"),
        "en": ("share", "share this", "share this article", "tweet", "print", "email", "e-mail", "copy link",
               "back to top", "home", "menu", "search", "log in", "login", "sign in", "sign up", "register",
               "subscribe", "advertisement", "follow us", "download the app", "close", "skip to content", "next",
               "previous", "facebook", "twitter", "zalo", "whatsapp", "telegram", "linkedin"),
        "de": ("teilen", "drucken", "anzeige", "werbung", "startseite", "suche", "anmelden", "abonnieren",
               "nach oben", "link kopieren"),
        "fr": ("partager", "imprimer", "publicité", "accueil", "recherche", "se connecter", "s'abonner",
               "retour en haut", "copier le lien"),
    },
}

_MONTHS = (
    "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|"
    "january|february|march|may|june|july|august|october|december|"
    "jan|feb|mar|apr|jun|jul|aug|agu|sep|sept|oct|okt|nov|dec|des|"
    "januar|februar|märz|dezember|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
)
_WEEKDAYS = (
    "thứ hai|thứ ba|thứ tư|thứ năm|thứ sáu|thứ bảy|chủ nhật|thứ [2-7]|senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    "sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
)
_DATE = lazy_compile(
    r"(?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})(?!\d)"  # 25/10/2025, 2025-10-25
    rf"|(?<!\d)\d{{1,2}}\.?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}(?!\d)"  # 25 Oktober 2025
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}(?!\d)"  # October 25, 2025
    r"|\bngày\s+\d{1,2}\s*(?:/|tháng)\s*\d{1,2}(?:\s*(?:/|năm)\s*\d{2,4})?",  # ngày 25 tháng 10 năm 2025
    re.IGNORECASE,
)
_NUMERIC_DATE = lazy_compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}")
_TIME = lazy_compile(r"(?<!\d)\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?!\d)\s*(?:am|pm|wib|wita|wit|gmt\s*[+-]?\s*\d*|utc)?", re.IGNORECASE)
_DATE_FILLER = lazy_compile(
    rf"\b(?:{_WEEKDAYS}|ngày|lúc|cập nhật|đăng|pukul|tanggal|diperbarui|dipublikasikan|diterbitkan|updated|published|"
    r"posted|on|at|am|pm|le|à|mis à jour|publié|aktualisiert|veröffentlicht|um|uhr|wib|wita|(?:gmt|utc)(?:\s*[+-]\s*\d{1,2})?)\b"
    r"|[\s,|·•\-–—:()/+]",
    re.IGNORECASE,
)

_WORD_SPLIT = re.compile(r"\s+")
_TERMINAL = ".!?…。！？"
_CLOSING = "\"'”’»›)]}*"
_FILE_NAME = lazy_compile(rf"^(?:\S+\.(?:{_FILE_EXT})(?:\?\S*)?\s*)+$", re.IGNORECASE)
_URL_ONLY = lazy_compile(r"^<?(?:https?://|www\.)\S+>?$", re.IGNORECASE)
_URL = lazy_compile(r"https?://|www\.", re.IGNORECASE)
_DOMAIN = lazy_compile(
    r"(?<![\w@.])[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|id|co|info|news|de|fr|uk|io|gov|edu|my|sg|tv|online|site)(?![\w.])",
    re.IGNORECASE,
)
_SITE_SEPARATOR = lazy_compile(r"\s[-|–—:»]\s|^\S+$")
_COPYRIGHT = lazy_compile(r"^(?:©|\(c\)\s|copyright\b|bản quyền\b|hak cipta\b)", re.IGNORECASE)
_TRIM = " \t\"'“”‘’«»()[]{}.,:;!?*•·-–—|"

_SHORT_CHARS = 30  # "short" lines (menu items, category names): at most this many characters...
_SHORT_WORDS = 5  # ...and this many words
_LINE_RULE_MAX_CHARS = 500  # line rules only look at blocks this short: real noise is short


def _alternatives(rule: str) -> str:
    phrases = sorted({p for words in MARKERS[rule].values() for p in words}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)


def _compile() -> dict[str, re.Pattern[str]]:
    alt = _alternatives
    return {
        "comment_header": lazy_compile(rf"^(?:{alt('comment_header')})\s*[(\[]?\s*\d*\s*[)\]]?\s*:?$", re.IGNORECASE),
        "comment_prompt": lazy_compile(rf"(?<!\w)(?:{alt('comment_prompt')})(?!\w)", re.IGNORECASE),
        "related_header": lazy_compile(rf"^(?:{alt('related_header')})\s*:?$", re.IGNORECASE),
        "read_also": lazy_compile(rf"^[(\[]?\s*(?:{alt('read_also')})\s*(?:(?:[:：>»\-–—]|\.\.\.|…)\s*(?P<rest>.*)|[)\]]?\s*)$", re.IGNORECASE),
        "credit_label": lazy_compile(rf"^[(\[]?\s*(?:{alt('credit_label')})\s*(?:[:：/|]|\s(?:by|oleh|von)\s)\s*\S", re.IGNORECASE),
        "trailing_credit": lazy_compile(
            rf"(?:(?<=[.!?…])\s+|\s*(?=[(\[])|\s+(?=[-–—|/]\s))(?P<open>[(\[]?\s*(?:[-–—|/]\s*)?(?:{alt('credit_label')})\s*[:：]"
            r"\s*(?P<credit>[^()\[\].!?:]+?)\s*[)\]]?\.?\s*)$",
            re.IGNORECASE,
        ),
        "credit_alone": lazy_compile(rf"^[(\[]?\s*(?:{alt('credit_alone')})\s*[)\]]?\.?$", re.IGNORECASE),
        "source_label": lazy_compile(rf"^[(\[]?\s*(?:{alt('source_label')})\s*[:：]", re.IGNORECASE),
        "attribution": lazy_compile(rf"^[(\[]?\s*(?:{alt('attribution')})\s+[^,;:!?]+?[)\]]?\.?$", re.IGNORECASE),
        "tags_label": lazy_compile(rf"^(?:{alt('tags_label')})\s*[:：]", re.IGNORECASE),
        "furniture": lazy_compile(rf"^(?:{alt('furniture')})$", re.IGNORECASE),
        "cookie": lazy_compile(r"\bcookies?\b", re.IGNORECASE),
    }


_RX = _compile()


@dataclass(frozen=True)
class LineVerdict:
    """What the line rules say of a block: a reason, and whether it marks the start of the tail."""

    reason: str
    marker: str = ""  # "comment" | "related" | "source" | "read_also" | ""


@dataclass(frozen=True)
class NoiseContext:
    """Where a block sits, for the position rules (see the module docstring)."""

    head: bool = False  # before the first prose block
    before_title: bool = False  # in the head, above the title
    title: bool = False  # the title: never noise
    trailing: bool = False  # in the run of short lines and noise that ends the document, after the last prose
    caption: bool = False  # follows an image file name, or an HTML figcaption
    tail: str | None = None  # the tail zone's reason ("comment box"...), None outside
    follows_read_also: bool = False  # right after a bare "Read also" line


def words(block: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(block.strip()) if w]


def ends_sentence(block: str) -> bool:
    """True when the block ends with sentence-final punctuation (closing quotes allowed after it)."""
    stripped = block.rstrip().rstrip(_CLOSING)
    return bool(stripped) and stripped[-1] in _TERMINAL


def is_prose(block: str) -> bool:
    """Article-like text: 12+ words ending a sentence, or 25+ words."""
    n = len(words(block))
    return n >= 25 or (n >= 12 and ends_sentence(block))


def is_short(block: str) -> bool:
    """A menu-like line: few words, few characters, no punctuation to end it."""
    b = block.strip()
    return len(b) <= _SHORT_CHARS and len(words(b)) <= _SHORT_WORDS and b.rstrip(_CLOSING)[-1:] not in _TERMINAL + ":;"


def line_verdict(block: str) -> LineVerdict | None:
    """The line rules: what a block is on its own, or None when they have nothing to say."""
    b = block.strip()
    if not b or len(b) > _LINE_RULE_MAX_CHARS:
        return None
    n = len(words(b))
    core = b.strip(_TRIM)
    rx = _RX
    if _FILE_NAME.match(b):
        return LineVerdict(IMAGE)
    if _URL_ONLY.match(b):
        return LineVerdict(SOURCE)  # not a tail marker: articles cite bare links too
    if rx["comment_header"].match(core) or (n <= 20 and rx["comment_prompt"].search(b)):
        return LineVerdict(COMMENTS, "comment")
    if rx["related_header"].match(core):
        return LineVerdict(RELATED, "related")
    m = rx["read_also"].match(b)
    if m and len(words(m.group("rest") or "")) <= 25:
        return LineVerdict(RELATED, "" if (m.group("rest") or "").strip(_TRIM) else "read_also")
    if n <= 12 and (rx["credit_label"].match(b) or rx["credit_alone"].match(b)):
        return LineVerdict(CREDIT)
    if rx["source_label"].match(b) and (n <= 15 or _URL.search(b)):
        return LineVerdict(SOURCE, "source")
    if n <= 5 and rx["attribution"].match(b):
        return LineVerdict(SOURCE)
    if n <= 12 and not ends_sentence(b) and (_is_date_line(b) or _has_date_and_time(b)):
        return LineVerdict(BYLINE)
    if rx["tags_label"].match(b) or rx["furniture"].match(core) or (n <= 12 and _COPYRIGHT.match(b)):
        return LineVerdict(BOILERPLATE)
    if n <= 40 and rx["cookie"].search(b) and re.search(r"accept|akzeptier|accepter|chấp nhận|setuju|terima|consent", b, re.I):
        return LineVerdict(BOILERPLATE)
    return None


def _is_date_line(block: str) -> bool:
    """A short line that starts or ends with a numeric date (``Báo X25/10/2025``), or is only a date and time.

    Dates with month names start or end real sentences too (``9. September
    1988, bei Tagesanbruch``), so they count only when nothing else is there.
    """
    dates = list(_DATE.finditer(block))
    numeric = [m for m in dates if _NUMERIC_DATE.fullmatch(m.group())]
    if numeric:
        head, tail = block[: numeric[0].start()], block[numeric[-1].end():]
        if not head.strip(_TRIM) or not tail.strip(_TRIM):
            return True
    rest = _TIME.sub(" ", _DATE.sub(" ", block))
    return (bool(dates) or rest != block) and not _DATE_FILLER.sub("", rest).strip()


def _has_date_and_time(block: str) -> bool:
    """A date and a clock time with a few words at most: a byline (``Hoàng Long - 12/3/2025 08:15``), in any language.

    At most five words besides them (a name, a weekday, "updated", a time
    zone): a sentence that gives a date and a time ("Trận đấu diễn ra
    20/5/2025 lúc 19:30 tại sân Mỹ Đình") is content, and its translation is.
    """
    date = _DATE.search(block)
    if date is None:
        return False
    rest = block[: date.start()] + " " + block[date.end():]
    clock = _TIME.search(rest)
    if clock is None:
        return False
    rest = rest[: clock.start()] + " " + rest[clock.end():]
    return sum(1 for w in words(rest) if any(ch.isalpha() for ch in w)) <= 5


def trailing_credit(block: str) -> int | None:
    """Where a photo credit that ends a longer block starts (``Quang cảnh buổi tiếp. Ảnh: Hoàng Long``), or None.

    A caption often carries its credit after a full stop, in brackets or after a
    dash; the credit is split off and set aside, the caption kept. The credit
    labels are those of :data:`MARKERS` (``credit_label``); the credit is short
    (at most 8 words) and the text before it is not empty.
    """
    m = _RX["trailing_credit"].search(block)
    if m is None or not block[: m.start()].strip(_TRIM) or len(words(m.group("credit"))) > 8:
        return None
    return m.start("open")


def is_site_header(block: str) -> bool:
    """``Vietnam.vn - Nền tảng quảng bá Việt Nam``: a site name with a domain, as the page's first line."""
    b = block.strip()
    return len(words(b)) <= 12 and not ends_sentence(b) and bool(_DOMAIN.search(b)) and bool(_SITE_SEPARATOR.search(b))


def classify_noise(block: str, lang: str, context: NoiseContext | None = None) -> str | None:
    """Why ``block`` is site noise, or None when it is content.

    Without a context only the line rules apply; :func:`find_noise` supplies the
    context for the position rules. ``lang`` is accepted for rules that may need
    it; the marker lists are used for every language (see the module docstring).
    """
    verdict = line_verdict(block)
    if verdict is not None:
        return verdict.reason
    if context is None:
        return None
    if context.tail is not None:
        if context.caption and context.tail == BOILERPLATE:
            return None
        if is_short(block):
            return BOILERPLATE
        if context.tail != BOILERPLATE or not is_prose(block):
            return context.tail
        return None
    if context.follows_read_also and not is_prose(block):
        return RELATED
    if context.title or context.caption:
        return None
    if context.head and is_site_header(block):
        return BOILERPLATE
    if (context.before_title or context.trailing) and is_short(block):
        return BOILERPLATE
    return None


def find_noise(
    blocks: Sequence[str], lang: str, *, captions: frozenset[int] | set[int] = frozenset(), edges: bool = True
) -> list[str | None]:
    """A reason for every noise block of a document (None for content), in order.

    ``captions`` are indices the source marks as captions (HTML ``figcaption``).
    ``edges=False`` turns off the menu-line rules at the start and end, for
    text already cut down to the article (an HTML ``<article>``).
    """
    verdicts = [line_verdict(b) for b in blocks]
    prose = [v is None and is_prose(b) for b, v in zip(blocks, verdicts)]
    in_body = set(_in_body_sources(blocks, verdicts, prose))
    for i in in_body:
        verdicts[i] = None
    contexts = _contexts(blocks, verdicts, prose, captions, edges)
    return [None if i in in_body else classify_noise(b, lang, c) for i, (b, c) in enumerate(zip(blocks, contexts))]


def _in_body_sources(blocks: Sequence[str], verdicts: list[LineVerdict | None], prose: list[bool]) -> list[int]:
    """Source lines that are body text: no link in them, and the article goes on (prose within the next 3 blocks).

    ``Nguồn: Sở Giao thông vận tải Hà Nội`` under a figure or a table names where
    the figures come from and is translated like the rest; the article's own
    source line (a URL, or the last line before the comments) stays noise.
    """
    out = []
    reasons = [v.reason if v is not None else None for v in verdicts]
    for i, v in enumerate(verdicts):
        if v is None or v.marker != "source" or _URL.search(blocks[i]) or _DOMAIN.search(blocks[i]):
            continue
        # the next three blocks no line rule caught (images and credits skipped), with no tail marker among them
        ahead = [j for j in range(i + 1, len(blocks)) if reasons[j] in (None, IMAGE, CREDIT)][:3]
        markers = [w for w in verdicts[i + 1:(ahead[-1] if ahead else i) + 1] if w is not None and w.marker]
        if any(prose[j] for j in ahead) and not markers:
            out.append(i)
    return out


def _contexts(blocks: Sequence[str], verdicts: list[LineVerdict | None], prose: list[bool], captions, edges: bool) -> list[NoiseContext]:
    n = len(blocks)
    prose_idx = [i for i in range(n) if prose[i]] if edges else []
    first = prose_idx[0] if prose_idx else n
    # The trailing run: after the last prose block, the blocks up to the very end
    # that are all short lines or line-rule noise.
    trail_start = n
    if prose_idx:
        while trail_start > prose_idx[-1] + 1 and (verdicts[trail_start - 1] is not None or is_short(blocks[trail_start - 1])):
            trail_start -= 1
    title = _title_index(blocks, verdicts, first) if prose_idx else None
    zones = _tail_zones(blocks, verdicts, prose)
    out = []
    for i in range(n):
        prev = verdicts[i - 1] if i else None
        out.append(
            NoiseContext(
                head=bool(prose_idx) and i < first,
                before_title=title is not None and i < title,
                title=i == title,
                trailing=i >= trail_start,
                caption=i in captions or (prev is not None and prev.reason == IMAGE),
                tail=zones[i],
                follows_read_also=prev is not None and prev.marker == "read_also",
            )
        )
    return out


def _title_index(blocks: Sequence[str], verdicts: list[LineVerdict | None], first_prose: int) -> int | None:
    """The title: the first block up to the first prose one with 4+ words that no rule caught.

    Failing that, the longest such head line. Short lines above it are menus,
    breadcrumbs and category names.
    """
    candidates = [i for i in range(first_prose + 1) if verdicts[i] is None and not is_site_header(blocks[i])]
    for i in candidates:
        if len(words(blocks[i])) >= 4:
            return i
    return max(candidates, key=lambda i: (len(words(blocks[i])), -i), default=None)


def _tail_zones(blocks: Sequence[str], verdicts: list[LineVerdict | None], prose: list[bool]) -> list[str | None]:
    """For each block, the reason of the tail zone it lies in (None outside one)."""
    sizes = [len(b) if p else 0 for b, p in zip(blocks, prose)]
    total = sum(sizes)
    zones: list[str | None] = [None] * len(blocks)
    zone: str | None = None
    seen = 0
    for i in range(len(blocks)):
        v = verdicts[i]
        if v is not None and v.marker in ("comment", "related", "source") and total:
            share = 0.5 if v.marker == "source" else 1 / 3
            if seen >= share * total and (v.marker != "source" or zone is None):
                zone = {"comment": COMMENTS, "related": RELATED, "source": BOILERPLATE}[v.marker]
                seen += sizes[i]
                continue
        if zone is not None and prose[i]:
            if zone == BOILERPLATE or (zone == RELATED and i + 1 < len(blocks) and prose[i + 1]):
                zone = None
        zones[i] = zone
        seen += sizes[i]
    return zones
