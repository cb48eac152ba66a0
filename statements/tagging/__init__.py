"""Topics and mentions on remarks: the rules that find them (rules.py, pure text), the reference
data they read (reference.py: countries from CLDR, organisations, default topics), how tags are
put on remarks (apply.py) and an editor's review of them (review.py)."""
