"""The base layer for text, below every app: one way to fold a word, to read a language code,
to decode bytes, to read a date, to sort outlets' labels into the portal's sections.

* ``fold`` — one spelling per word (case, accents, Arabic letter forms, digits): search and
  stories read every word the same way;
* ``language`` — language codes (``fr`` from ``fr-FR``) and the guess made from the script;
* ``categories`` — the portal's sections and how outlets' own labels map onto them;
* ``decode`` — outside bytes (feeds, pages) to text: byte order marks, labels, a guess;
* ``dates`` — outsiders' dates (ISO 8601, RFC 822) as aware UTC datetimes, never an error.

Nothing here imports Django or any app of Revue.
"""
