"""Reports: what leaves the system on paper or as files, built from domain objects only.

No database and no web framework here (DESIGN §3): a report is made from data handed in, so the
same letter or poster can come from the CLI, a web page or a test.
"""

from survey.report.printing import html_to_pdf, invitation_letters_html, poster_html, qr_png, qr_svg

__all__ = ["html_to_pdf", "invitation_letters_html", "poster_html", "qr_png", "qr_svg"]
