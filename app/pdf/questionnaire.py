"""The scan's questionnaire on paper, in one of the six languages: ``pdf/questionnaire.html``.

Decisions:

- **Same questions, keys and order as online**: the question pages in step order
  (``rules.steps``), within a page by position, numbered by ``rules.question_numbers`` (the
  facilitator's entry page shows the same numbers). Each question carries its key in small
  print. A pijler page is titled by the pijler's name, other pages by the scan's page title.
- **Texts**: the scan's own texts in the document's language with Dutch as fallback (as
  ``i18n.localized``); a question still in Dutch is marked ``lang="nl"``. UI words through
  gettext.
- **First page**: the resident intro (who, why, how long, privacy) with the short URL and a
  vector QR code to the scan for those who prefer online; in code mode a box for the code.
- **Contact details** are a separate slip on their own page, handed in apart from the answers.
"""

from dataclasses import dataclass
from typing import Any

import segno
from markupsafe import Markup
from sqlmodel import Session

from app import i18n
from app.i18n import gettext as _
from app.i18n import localized
from app.pdf import render
from app.pdf.fetcher import StaticFilesOnly
from app.programme.models import Buurt
from app.scan import codes, queries, rules
from app.scan.models import Question, Scan
from app.scan.schemas import QuestionView, question_view

TEMPLATE = "pdf/questionnaire.html"
# Ruled lines of writing space per free-text kind (the lines are 9 mm apart).
WRITING_LINES = {"knelpunt": 6, "idee": 6, "long_text": 4, "short_text": 2}


@dataclass(frozen=True)
class PaperQuestion:
    number: int
    lang: str  # the language the question's text is in (the document's, else Dutch)
    view: QuestionView

    @property
    def writing_lines(self) -> int:
        return WRITING_LINES.get(self.view.kind, 0)


@dataclass(frozen=True)
class PaperPage:
    key: str
    title: str
    intro: str
    questions: list[PaperQuestion]


def short_url(base_url: str, scan: Scan) -> str:
    """The scan's public address: ``<base>/s/<slug>`` (``base_url`` as the request has it)."""
    return base_url.rstrip("/") + "/s/" + scan.slug


def qr_svg(url: str) -> Markup:
    """A vector QR code (sized by CSS) for the template."""
    return Markup(segno.make(url, error="m").svg_inline(omitsize=True, border=2))  # noqa: S704  # segno's own SVG, the URL is escaped by segno


def _text_language(question: Question, language: str) -> str:
    return language if question.texts.get(language, {}).get("text") else "nl"


def paper_pages(
    session: Session, scan: Scan, questions: list[Question], language: str
) -> list[PaperPage]:
    """The question pages in step order, each with its numbered questions (current locale)."""
    numbers = rules.question_numbers([(q.page, q.key) for q in questions])
    pijlers = queries.pijlers_by_id(session)
    page_texts: dict[str, Any] = scan.texts.get("pages", {})
    by_page: dict[str, list[Question]] = {}
    for question in questions:
        by_page.setdefault(question.page, []).append(question)
    pages = []
    for step in rules.steps(list(by_page)):
        if step.is_contact or step.is_review:
            continue
        page_questions = by_page[step.key]
        ids = {q.pijler_id for q in page_questions if q.pijler_id}
        pijler = pijlers.get(ids.pop()) if len(ids) == 1 else None
        texts = page_texts.get(step.key, {})
        title = localized(pijler.name) if pijler else localized(texts.get("title"))
        intro = localized(pijler.explanation) if pijler else localized(texts.get("intro"))
        pages.append(
            PaperPage(
                key=step.key,
                title=title or step.key,
                intro=intro,
                questions=[
                    PaperQuestion(numbers[q.key], _text_language(q, language), question_view(q, []))
                    for q in sorted(page_questions, key=lambda q: numbers[q.key])
                ],
            )
        )
    return pages


def questionnaire_context(
    session: Session, scan: Scan, buurt: Buurt, *, language: str, base_url: str
) -> dict[str, Any]:
    """Everything the template shows, read in ``language`` (the template never queries)."""
    with i18n.use_locale(language):
        questions = queries.questions(session, scan.id or 0)
        url = short_url(base_url, scan)
        scan_title = localized(scan.title) or scan.slug
        return {
            "title": f"{_('Paper questionnaire')}: {scan_title}",
            "scan": scan,
            "scan_title": scan_title,
            "buurt": buurt,
            "intro": scan.texts.get("intro", {}),
            "pages": paper_pages(session, scan, questions, language),
            "url": url,
            "url_shown": url.split("://", 1)[-1],
            "qr": qr_svg(url),
            "code_groups": range(codes.CODE_LENGTH // codes.GROUP),
            "code_group_size": range(codes.GROUP),
            "needs_code": scan.access_mode == "codes",
        }


def questionnaire_html(
    session: Session, scan: Scan, buurt: Buurt, *, language: str, base_url: str
) -> str:
    context = questionnaire_context(session, scan, buurt, language=language, base_url=base_url)
    return render.render_html(TEMPLATE, context, language=language)


def questionnaire_pdf(
    session: Session,
    scan: Scan,
    buurt: Buurt,
    *,
    language: str,
    base_url: str,
    fetcher: StaticFilesOnly | None = None,
) -> bytes:
    """The paper questionnaire of ``scan`` in ``language`` as PDF bytes."""
    html = questionnaire_html(session, scan, buurt, language=language, base_url=base_url)
    return render.html_to_pdf(html, fetcher)
