"""Free text: redaction before a comment is stored, and themes and keywords for reading comments.

A layer beside `survey.stats`: pure functions over strings, no database and no web. It may import
`survey.domain`, `survey.errors` and the text libraries (phonenumbers, schwifty, simplemma, yake,
rapidfuzz); the services call it.

    survey.text.redaction   names, e-mail addresses, phone numbers, IBANs, dates of birth,
                            addresses, vehicle registrations and case numbers → markers
    survey.text.themes      the codebook (Leitbild values → themes → lemmas and phrases), theme
                            assignment, near-duplicates merged, keywords per unit and wave
"""
