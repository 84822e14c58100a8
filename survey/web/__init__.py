"""The litestar web app: respondent pages, lead and admin pages, JSON API."""
