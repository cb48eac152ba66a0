"""The start of a spawned process that works for this project (the search engine's analysis of
remarks, engine._write): importable before Django is set up, as a process's initializer must
be, so outside any module that imports models."""

import os


def start(niceness=0):
    if niceness:
        os.nice(niceness)  # beside requests: theirs come first for the processor
    import django

    django.setup()
